using System.Globalization;
using Broadcast.Elections;

namespace Broadcast.Ingest;

/// <summary>One entry of a form's <c>votes</c> as read: a count, or a party's votes (<see cref="Party"/>).</summary>
internal sealed record VoteInput(string Key, long? Count, PartyInput? Party);

/// <summary>A party's votes as read: for the party itself, and per candidate number.</summary>
internal sealed record PartyInput(long? Own, List<(string Key, long? Count)>? Candidates);

/// <summary>
/// Matches a form's votes to the station's ballot, strictly: every choice of the ballot and no
/// other, every party on the dapil's ballot with every candidate of its list, 0 included. Puts
/// the counts in the ballot's entry order (<see cref="Ballot"/>), which is how they are stored.
/// </summary>
internal static class BallotVotes
{
    public static int[]? Match(Ballot ballot, Election election, List<VoteInput> votes, string field, FormErrors errors) =>
        ballot.Parties.Count > 0 ? MatchParties(ballot, election, votes, field, errors) : MatchChoices(ballot, votes, field, errors);

    private static int[]? MatchChoices(Ballot ballot, List<VoteInput> votes, string field, FormErrors errors)
    {
        var counts = new int[ballot.Width];
        var given = new bool[ballot.Width];
        var ok = true;
        foreach (var vote in votes)
        {
            var entry = ballot.ChoiceEntry(vote.Key);
            if (entry < 0)
            {
                errors.Add($"{field}.{vote.Key}", ballot.Dapil is { } dapil
                    ? $"is not a candidate on the ballot of {dapil.Name} (candidates {Numbers(ballot.Choices.Select(c => c.Id))})"
                    : $"is not a choice of this contest ({string.Join(", ", ballot.Choices.Select(c => c.Id))})");
                ok = false;
                continue;
            }
            given[entry] = true;
            if (vote.Party is not null) { errors.Add($"{field}.{vote.Key}", "must be a count"); ok = false; }
            else if (vote.Count is { } count) counts[entry] = (int)count;
            else ok = false;
        }
        for (var e = 0; e < given.Length; e++)
            if (!given[e]) { errors.Add($"{field}.{ballot.Choices[e].Id}", "is required: every choice needs a count, 0 included"); ok = false; }
        return ok ? counts : null;
    }

    private static int[]? MatchParties(Ballot ballot, Election election, List<VoteInput> votes, string field, FormErrors errors)
    {
        var counts = new int[ballot.Width];
        var given = new HashSet<string>(StringComparer.Ordinal);
        var ok = true;
        foreach (var vote in votes)
        {
            var at = $"{field}.{vote.Key}";
            if (ballot.FindParty(vote.Key) is not { } listed)
            {
                errors.Add(at, NotOnBallot(vote.Key, ballot, election));
                ok = false;
                continue;
            }
            given.Add(vote.Key);
            if (vote.Party is not { } party)
            {
                errors.Add(at, "must be the party's votes: {\"party\": <votes for the party>, \"candidates\": {\"<number>\": <votes>, ...}}");
                ok = false;
                continue;
            }
            if (party.Own is { } own) counts[listed.Entry] = (int)own;
            else ok = false;
            ok &= party.Candidates is { } candidates && MatchCandidates(listed, candidates, counts, $"{at}.candidates", errors);
        }
        foreach (var listed in ballot.Parties)
            if (!given.Contains(listed.Party.Id))
            {
                errors.Add($"{field}.{listed.Party.Id}", $"is required: every party on the ballot ({listed.Party.ShortName}) needs its votes, 0 included");
                ok = false;
            }
        return ok ? counts : null;
    }

    private static bool MatchCandidates(BallotParty listed, List<(string Key, long? Count)> candidates, int[] counts, string field, FormErrors errors)
    {
        var ok = true;
        var given = new HashSet<int>();
        foreach (var (key, count) in candidates)
        {
            var entry = CanonicalNumber(key) is { } number ? listed.CandidateEntry(number) : -1;
            if (entry < 0)
            {
                errors.Add($"{field}.{key}", $"is not a candidate of {listed.Party.ShortName} here (its list: {Numbers(listed.Candidates.Select(c => c.Number.ToString(CultureInfo.InvariantCulture)))})");
                ok = false;
                continue;
            }
            given.Add(entry);
            if (count is { } votes) counts[entry] = (int)votes;
            else ok = false;
        }
        for (var i = 0; i < listed.Candidates.Count; i++)
            if (!given.Contains(listed.Entry + 1 + i))
            {
                errors.Add($"{field}.{listed.Candidates[i].Number}", "is required: every candidate on the list needs a count, 0 included");
                ok = false;
            }
        return ok;
    }

    private static string NotOnBallot(string key, Ballot ballot, Election election)
    {
        var party = election.Parties.FirstOrDefault(p => p.Id == key);
        var parties = string.Join(", ", ballot.Parties.Select(p => p.Party.Id));
        if (party is null) return $"is not a party of this election (parties on this ballot: {parties})";
        if (party.AcehOnly) return $"is {party.ShortName}, an Aceh local party: on DPRD ballots in Aceh only";
        return $"{party.ShortName} has no list in {ballot.Dapil!.Name} (parties on this ballot: {parties})";
    }

    /// <summary>A candidate number written plainly (<c>"7"</c>, not <c>"07"</c> or <c>"+7"</c>), else null.</summary>
    private static int? CanonicalNumber(string key) =>
        int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
        && number.ToString(CultureInfo.InvariantCulture) == key ? number : null;

    /// <summary>"1–8", or "1, 3–9" where a list has gaps.</summary>
    private static string Numbers(IEnumerable<string> ids)
    {
        var numbers = ids.Select(id => int.Parse(id, CultureInfo.InvariantCulture)).Order().ToList();
        var ranges = new List<string>();
        for (var i = 0; i < numbers.Count;)
        {
            var j = i;
            while (j + 1 < numbers.Count && numbers[j + 1] == numbers[j] + 1) j++;
            ranges.Add(i == j ? $"{numbers[i]}" : $"{numbers[i]}–{numbers[j]}");
            i = j + 1;
        }
        return string.Join(", ", ranges);
    }
}

namespace Broadcast.Elections;

/// <summary>What a contest's ballot looks like.</summary>
public enum BallotKind
{
    /// <summary>One list of choices for the whole country: the presidential pairs (PPWP).</summary>
    Flat,
    /// <summary>Per dapil: the parties with a list there and, under each, its candidates (DPR, DPRD provinsi, DPRD kab/kota).</summary>
    PartyList,
    /// <summary>Per dapil: a list of candidates without parties (DPD: one dapil per province).</summary>
    CandidateList,
}

/// <summary>
/// A column of a results row: a presidential pair (<c>"01"</c>), a party (its ballot number,
/// <c>"3"</c>), or a DPD candidate (its ballot number in the province, <c>"7"</c>).
/// </summary>
public sealed record Choice(string Id, string Name);

/// <summary>A party of the election: <see cref="Id"/> is its ballot number as text (<c>"1"</c>..<c>"24"</c>).</summary>
public sealed record Party(string Id, int Number, string ShortName, string Name, bool AcehOnly, string Colour);

/// <summary>A candidate on a party's list (<see cref="Number"/> = nomor urut; lists may have gaps) or on a DPD ballot.</summary>
public sealed record Candidate(int Number, string Name, char Gender);

/// <summary>
/// A party on one dapil's ballot. Its numbers on a form are <see cref="Entry"/> (votes for the
/// party itself) followed by one entry per candidate, in list order.
/// </summary>
public sealed record BallotParty(Party Party, int Entry, IReadOnlyList<Candidate> Candidates)
{
    /// <summary>The entry of the candidate with list number <paramref name="number"/>, or -1.</summary>
    public int CandidateEntry(int number)
    {
        for (var i = 0; i < Candidates.Count; i++)
            if (Candidates[i].Number == number) return Entry + 1 + i;
        return -1;
    }

    /// <summary>Entries of this party: its own votes and its candidates'.</summary>
    public int Width => 1 + Candidates.Count;
}

/// <summary>
/// The ballot a voter gets at a station: the layout of a form's numbers. A form stores one
/// number per entry (<see cref="Width"/> of them), in this order: for a flat or candidate
/// ballot its choices; for a party list, per party its own votes then its candidates'.
/// Every entry also adds to one column of the region totals (<see cref="Column"/> in the
/// column set <see cref="ColumnSet"/> of the contest): a party's entries to the party's column.
/// </summary>
public sealed class Ballot
{
    internal Ballot(int index, Dapil? dapil, IReadOnlyList<Choice> choices, IReadOnlyList<BallotParty> parties,
        int columnSet, int[] column)
    {
        Index = index; Dapil = dapil; Choices = choices; Parties = parties; ColumnSet = columnSet; Column = column;
        Width = column.Length;
    }

    public int Index { get; }
    /// <summary>The dapil this ballot is for; null for the one ballot of a flat contest.</summary>
    public Dapil? Dapil { get; }
    /// <summary>Flat and candidate ballots: the choices, one entry each. Empty for party lists.</summary>
    public IReadOnlyList<Choice> Choices { get; }
    /// <summary>Party lists: the parties with a list in this dapil, by ballot number. Empty otherwise.</summary>
    public IReadOnlyList<BallotParty> Parties { get; }
    public int Width { get; }
    public int ColumnSet { get; }
    public int[] Column { get; }

    public int ChoiceEntry(string id)
    {
        for (var i = 0; i < Choices.Count; i++)
            if (Choices[i].Id == id) return i;
        return -1;
    }

    public BallotParty? FindParty(string id)
    {
        foreach (var party in Parties)
            if (party.Party.Id == id) return party;
        return null;
    }

    /// <summary>Builds a flat or candidate ballot whose entries are its column set's columns one to one.</summary>
    internal static Ballot OfChoices(int index, Dapil? dapil, IReadOnlyList<Choice> choices, int columnSet) =>
        new(index, dapil, choices, [], columnSet, Enumerable.Range(0, choices.Count).ToArray());

    /// <summary>Builds a party-list ballot; <paramref name="partyColumn"/> gives a party's column in the contest's party set.</summary>
    internal static Ballot OfParties(int index, Dapil dapil, IEnumerable<(Party Party, IReadOnlyList<Candidate> Candidates)> lists,
        Func<Party, int> partyColumn)
    {
        var parties = new List<BallotParty>();
        var column = new List<int>();
        foreach (var (party, candidates) in lists.OrderBy(l => l.Party.Number))
        {
            parties.Add(new BallotParty(party, column.Count, candidates));
            column.AddRange(Enumerable.Repeat(partyColumn(party), 1 + candidates.Count));
        }
        return new Ballot(index, dapil, [], parties, 0, column.ToArray());
    }
}

/// <summary>The <c>votes</c> object of a form, as the API takes it and shows it back (docs/api.md).</summary>
public static class FormVotes
{
    /// <summary>
    /// <paramref name="entries"/> (a form's numbers in ballot order) as the form's <c>votes</c>:
    /// <c>{"01": 508}</c>, or per party <c>{"3": {"party": 12, "candidates": {"1": 40}}}</c>.
    /// </summary>
    public static Dictionary<string, object> Of(Ballot ballot, IReadOnlyList<int> entries)
    {
        var votes = new Dictionary<string, object>(Math.Max(ballot.Choices.Count, ballot.Parties.Count), StringComparer.Ordinal);
        for (var i = 0; i < ballot.Choices.Count; i++) votes[ballot.Choices[i].Id] = entries[i];
        foreach (var party in ballot.Parties)
        {
            var candidates = new Dictionary<string, int>(party.Candidates.Count, StringComparer.Ordinal);
            for (var i = 0; i < party.Candidates.Count; i++)
                candidates[party.Candidates[i].Number.ToString(System.Globalization.CultureInfo.InvariantCulture)] = entries[party.Entry + 1 + i];
            votes[party.Party.Id] = new PartyVotes(entries[party.Entry], candidates);
        }
        return votes;
    }
}

/// <summary>One party's votes on a form: for the party itself, and per candidate number.</summary>
public sealed record PartyVotes(int Party, IReadOnlyDictionary<string, int> Candidates);

using System.Globalization;
using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Push;
using Broadcast.Seats;

namespace Broadcast.Results;

/// <summary>
/// Dapil and parliament groups: a dapil's party and candidate votes with its projected seats and
/// who holds them; a parliament's seats per party and per dapil, with each dapil's last-seat margin.
/// </summary>
public sealed partial class ResultsView
{
    private ResultsSnapshot BuildDapil(ContestTally totals, string epoch, Dapil dapil)
    {
        var contest = totals.Contest;
        var row = totals.Dapil(dapil.Index);
        var children = DapilChildren(dapil).Select(region => RegionChild(contest, totals, region)).ToList();
        return new ResultsSnapshot(contest.Id, DapilRef(dapil), [.. Parents(dapil.Parliament.Region, includeSelf: true), ParliamentRef(dapil.Parliament)],
            epoch, totals.DapilVersions[dapil.Index], DapilCounts(totals, dapil), DapilVotes(dapil, row),
            row[ContestTally.Valid], row[ContestTally.Invalid], children,
            Candidates(dapil, row, totals.Seats[dapil.Index]).Select(c => c.Candidate).ToList(),
            new SeatsView(dapil.Seats, Won(dapil, totals.Seats[dapil.Index]), Threshold(contest, totals), [DapilSeats(dapil, totals)]));
    }

    private ResultsSnapshot BuildParliament(ContestTally totals, string epoch, Parliament parliament)
    {
        var contest = totals.Contest;
        var region = parliament.Region;
        var row = totals.Region(region);
        return new ResultsSnapshot(contest.Id, ParliamentRef(parliament), Parents(region, includeSelf: true), epoch,
            totals.ParliamentVersion(parliament), Counts(contest, totals, region), Votes(contest.Columns(region), row),
            row[ContestTally.Valid], row[ContestTally.Invalid], parliament.Dapils.Select(d => DapilChild(totals, d)).ToList(),
            Seats: ParliamentSeats(contest, totals, parliament, parliament.Dapils));
    }

    /// <summary>Changes of the dapils a run changed, and of the parliaments they belong to.</summary>
    private void LegislativeChanges(Tally tally, ContestTally totals, ContestChanges changes, Func<string, bool> wanted, List<GroupChange> result)
    {
        var contest = totals.Contest;
        foreach (var (index, before) in changes.Dapils)
        {
            var dapil = contest.Dapils[index];
            if (!wanted(GroupNames.Results(contest.Id, dapil.GroupId))) continue;
            var row = totals.Dapil(index).ToArray();
            var seats = totals.Seats[index];
            var children = DapilChildren(dapil).Select((region, place) => (region, place)).Where(c => changes.Regions.ContainsKey(c.region))
                .Select(c => Moved(c.place, RegionChild(contest, totals, c.region), changes.Regions[c.region].PreviousRow,
                    Votes(contest.Columns(c.region), changes.Regions[c.region].PreviousRow)))
                .ToDictionary(c => c.Now.Id);
            var candidates = new Dictionary<string, CandidateUpdate>();
            foreach (var (candidate, at) in Candidates(dapil, row, seats))
                if (CandidateMoved(at, row, before, seats, candidate) is var moved && moved != ChangedFields.None)
                    candidates[candidate.Id] = new CandidateUpdate(candidate, moved);
            result.Add(new GroupChange(contest.Id, dapil.GroupId, tally.State.Epoch, before.PreviousVersion, totals.DapilVersions[index],
                DapilCounts(totals, dapil), DapilVotes(dapil, row), row[ContestTally.Valid], row[ContestTally.Invalid], children, candidates,
                new SeatsView(dapil.Seats, Won(dapil, seats), Threshold(contest, totals), [DapilSeats(dapil, totals)]),
                tally.ChainAt(totals.DapilVersions[index])));
        }

        foreach (var parliament in changes.Dapils.Keys.Select(d => contest.Dapils[d].Parliament).Distinct())
        {
            if (!wanted(GroupNames.Results(contest.Id, parliament.GroupId))) continue;
            // Its version is its dapils' latest; before the run, the latest of what they were then.
            var previous = parliament.Dapils.Max(d => changes.Dapils.TryGetValue(d.Index, out var before) ? before.PreviousVersion : totals.DapilVersions[d.Index]);
            var changed = parliament.Dapils.Where(d => changes.Dapils.ContainsKey(d.Index)).ToList();
            var row = totals.Region(parliament.Region);
            var children = parliament.Dapils.Select((d, place) => (d, place)).Where(c => changes.Dapils.ContainsKey(c.d.Index))
                .ToDictionary(c => c.d.GroupId, c => Moved(c.place, DapilChild(totals, c.d), changes.Dapils[c.d.Index].PreviousRow,
                    DapilVotes(c.d, changes.Dapils[c.d.Index].PreviousRow)));
            result.Add(new GroupChange(contest.Id, parliament.GroupId, tally.State.Epoch, previous, totals.ParliamentVersion(parliament),
                Counts(contest, totals, parliament.Region), Votes(contest.Columns(parliament.Region), row),
                row[ContestTally.Valid], row[ContestTally.Invalid], children, null, ParliamentSeats(contest, totals, parliament, changed),
                tally.ChainAt(totals.ParliamentVersion(parliament))));
        }
    }

    /// <summary>A dapil's children: the regions it is made of, or, when it is one whole region (a DPD province), that region's children.</summary>
    private IEnumerable<int> DapilChildren(Dapil dapil) =>
        dapil.Members is [var only] && election.Regions.Level[only] != RegionLevel.Village ? election.Regions.Children[only] : dapil.Members;

    private ChildResults DapilChild(ContestTally totals, Dapil dapil)
    {
        var row = totals.Dapil(dapil.Index);
        return new ChildResults(dapil.GroupId, dapil.Name, "dapil", DapilCounts(totals, dapil), DapilVotes(dapil, row),
            row[ContestTally.Valid], row[ContestTally.Invalid]);
    }

    private static StationCounts DapilCounts(ContestTally totals, Dapil dapil)
    {
        var row = totals.Dapil(dapil.Index);
        return new StationCounts(dapil.StationCount, row[ContestTally.Reported], row[ContestTally.Quarantined]);
    }

    /// <summary>A dapil's votes per party (its own and its candidates') or, for DPD, per candidate.</summary>
    private static Dictionary<string, long> DapilVotes(Dapil dapil, ReadOnlySpan<long> row)
    {
        var ballot = dapil.Ballot;
        var votes = new Dictionary<string, long>(Math.Max(ballot.Parties.Count, ballot.Choices.Count));
        for (var i = 0; i < ballot.Choices.Count; i++) votes[ballot.Choices[i].Id] = row[ContestTally.FirstVote + i];
        foreach (var party in ballot.Parties) votes[party.Party.Id] = PartyVotes(party, row);
        return votes;
    }

    private static long PartyVotes(BallotParty party, ReadOnlySpan<long> row)
    {
        long sum = 0;
        foreach (var v in row.Slice(ContestTally.FirstVote + party.Entry, party.Width)) sum += v;
        return sum;
    }

    /// <summary>The dapil's candidates with their votes and rank, and where each sits (its ranking, its index in it, its ballot entry).</summary>
    private static List<(CandidateResults Candidate, CandidateAt At)> Candidates(Dapil dapil, ReadOnlySpan<long> row, SeatProjection? seats)
    {
        var list = new List<(CandidateResults, CandidateAt)>();
        var ballot = dapil.Ballot;
        for (var i = 0; i < ballot.Choices.Count; i++)
        {
            var ranking = seats?.Candidates[0];
            list.Add((new CandidateResults(ballot.Choices[i].Id, null, int.Parse(ballot.Choices[i].Id, CultureInfo.InvariantCulture),
                ballot.Choices[i].Name, row[ContestTally.FirstVote + i], ranking?.Rank[i] ?? 0, ranking?.IsElected(i) ?? false), new CandidateAt(0, i, i)));
        }
        for (var p = 0; p < ballot.Parties.Count; p++)
        {
            var party = ballot.Parties[p];
            var ranking = seats?.Candidates[p];
            for (var i = 0; i < party.Candidates.Count; i++)
            {
                var candidate = party.Candidates[i];
                var at = new CandidateAt(p, i, party.Entry + 1 + i);
                list.Add((new CandidateResults(CandidateId(party, candidate), party.Party.Id, candidate.Number, candidate.Name,
                    row[ContestTally.FirstVote + at.Entry], ranking?.Rank[i] ?? 0, ranking?.IsElected(i) ?? false), at));
            }
        }
        return list;
    }

    /// <summary>A candidate's place: its ranking (ballot party, or 0 for DPD), its index in it, and its ballot entry.</summary>
    private readonly record struct CandidateAt(int Ranking, int Index, int Entry);

    /// <summary>Which of the candidate's fields moved in the run (votes, rank, elected).</summary>
    private static ChangedFields CandidateMoved(CandidateAt at, ReadOnlySpan<long> row, DapilChange before, SeatProjection? seats, CandidateResults now)
    {
        var changed = ChangedFields.None;
        if (row[ContestTally.FirstVote + at.Entry] != before.PreviousRow[ContestTally.FirstVote + at.Entry]) changed |= ChangedFields.Votes;
        var then = before.PreviousSeats?.Candidates[at.Ranking];
        if ((then?.Rank[at.Index] ?? 0) != now.Rank) changed |= ChangedFields.Rank;
        if ((then?.IsElected(at.Index) ?? false) != now.Elected) changed |= ChangedFields.Elected;
        return changed;
    }

    private static string CandidateId(BallotParty party, Candidate candidate) =>
        $"{party.Party.Id}.{candidate.Number.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Seats per party of one dapil (DPD: 1 per elected candidate).</summary>
    private static Dictionary<string, int> Won(Dapil dapil, SeatProjection? seats)
    {
        var won = new Dictionary<string, int>();
        if (seats is null) return won;
        var ballot = dapil.Ballot;
        for (var p = 0; p < ballot.Parties.Count; p++)
            if (seats.SeatsOf(p) > 0) won[ballot.Parties[p].Party.Id] = seats.SeatsOf(p);
        if (ballot.Parties.Count == 0)
            foreach (var i in seats.Candidates[0].Order.Take(seats.Candidates[0].ElectedCount)) won[ballot.Choices[i].Id] = 1;
        return won;
    }

    private SeatsView ParliamentSeats(Contest contest, ContestTally totals, Parliament parliament, IEnumerable<Dapil> dapils)
    {
        var won = new Dictionary<string, int>();
        foreach (var dapil in parliament.Dapils)
            if (dapil.Ballot.Parties.Count > 0)
                foreach (var (party, seats) in Won(dapil, totals.Seats[dapil.Index]))
                    won[party] = won.GetValueOrDefault(party) + seats;
        return new SeatsView(parliament.Seats, won, Threshold(contest, totals), dapils.Select(d => DapilSeats(d, totals)).ToList());
    }

    private static ThresholdView? Threshold(Contest contest, ContestTally totals)
    {
        if (contest.ThresholdPercent == 0) return null;
        var national = totals.Region(RegionTree.National);
        var passes = SeatProjection.Passing(contest, national)!;
        var valid = national[ContestTally.Valid];
        return new ThresholdView(contest.ThresholdPercent, valid, (valid * contest.ThresholdPercent + 99) / 100,
            contest.Parties.Where((_, i) => passes[i]).Select(p => p.Id).ToList());
    }

    private static DapilSeatsView DapilSeats(Dapil dapil, ContestTally totals)
    {
        var seats = totals.Seats[dapil.Index];
        var row = totals.Dapil(dapil.Index);
        var ballot = dapil.Ballot;
        var elected = new List<ElectedView>();
        SeatClaim? last = null, runnerUp = null;
        if (seats is not null && ballot.Parties.Count > 0)
        {
            for (var p = 0; p < ballot.Parties.Count; p++)
            {
                var party = ballot.Parties[p];
                var ranking = seats.Candidates[p];
                foreach (var i in ranking.Order.Take(ranking.ElectedCount))
                    elected.Add(new ElectedView(CandidateId(party, party.Candidates[i]), party.Party.Id, party.Candidates[i].Name,
                        row[ContestTally.FirstVote + party.Entry + 1 + i]));
            }
            if (seats.Parties?.LastSeat is { } lastSeat)
                last = new SeatClaim(ballot.Parties[lastSeat.Slot].Party.Id, lastSeat.Quotient.Votes, lastSeat.Quotient.Divisor, 0);
            if (seats.Parties?.RunnerUp is { } next)
                runnerUp = new SeatClaim(ballot.Parties[next.Slot].Party.Id, next.NextQuotient.Votes, next.NextQuotient.Divisor, next.VotesNeeded);
        }
        else if (seats is not null)
        {
            var ranking = seats.Candidates[0];
            foreach (var i in ranking.Order.Take(ranking.ElectedCount))
                elected.Add(new ElectedView(ballot.Choices[i].Id, null, ballot.Choices[i].Name, row[ContestTally.FirstVote + i]));
            if (ranking.Margin is { } margin)
            {
                last = new SeatClaim(ballot.Choices[margin.LastElected].Id, row[ContestTally.FirstVote + margin.LastElected], 1, 0);
                runnerUp = new SeatClaim(ballot.Choices[margin.FirstNotElected].Id, row[ContestTally.FirstVote + margin.FirstNotElected], 1, margin.VotesNeeded);
            }
        }
        return new DapilSeatsView(dapil.GroupId, dapil.Name, dapil.Seats, Won(dapil, seats), elected, last, runnerUp);
    }

    private static RegionRef DapilRef(Dapil dapil) => new(dapil.GroupId, dapil.Name, "dapil");

    private static RegionRef ParliamentRef(Parliament parliament) => new(parliament.GroupId, parliament.Name, "parliament");
}

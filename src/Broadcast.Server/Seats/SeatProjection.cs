using System.Collections.Immutable;
using Broadcast.Elections;

namespace Broadcast.Seats;

/// <summary>
/// A dapil's projected seats from the votes counted so far: how many seats each party on its
/// ballot wins (<see cref="Parties"/>, party lists only) and who takes them (<see cref="Candidates"/>:
/// per ballot party its candidates' ranking; for DPD one ranking of the province's candidates).
/// Value equality, so an aggregation run can tell whether a dapil's seat picture moved.
/// </summary>
public sealed record SeatProjection(DapilSeats? Parties, ImmutableArray<CandidateRanking> Candidates)
{
    public bool Equals(SeatProjection? other) =>
        other is not null && Equals(Parties, other.Parties) && Candidates.AsSpan().SequenceEqual(other.Candidates.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Parties, Candidates.Length);

    /// <summary>Seats of the ballot party at <paramref name="slot"/> (its index in <see cref="Ballot.Parties"/>).</summary>
    public int SeatsOf(int slot) => Parties?.Seats[slot] ?? 0;

    /// <summary>
    /// Projects one dapil. <paramref name="entries"/> are the dapil's totals per ballot entry;
    /// <paramref name="passes"/> says per party column of the contest whether the party is over the
    /// national threshold (null: no threshold).
    /// </summary>
    public static SeatProjection Of(Dapil dapil, ReadOnlySpan<long> entries, bool[]? passes)
    {
        var ballot = dapil.Ballot;
        if (ballot.Parties.Count == 0)
        {
            Span<int> numbers = stackalloc int[ballot.Choices.Count];
            for (var i = 0; i < numbers.Length; i++) numbers[i] = int.Parse(ballot.Choices[i].Id, System.Globalization.CultureInfo.InvariantCulture);
            return new SeatProjection(null, [CandidateElection.ElectDpd(entries, numbers, dapil.Seats)]);
        }

        var parties = ballot.Parties;
        Span<long> votes = stackalloc long[parties.Count];
        Span<bool> eligible = stackalloc bool[parties.Count];
        Span<int> partyNumbers = stackalloc int[parties.Count];
        for (var p = 0; p < parties.Count; p++)
        {
            // A party's votes: its own and its candidates'.
            long sum = 0;
            foreach (var v in entries.Slice(parties[p].Entry, parties[p].Width)) sum += v;
            votes[p] = sum;
            eligible[p] = passes is null || passes[ballot.Column[parties[p].Entry]];
            partyNumbers[p] = parties[p].Party.Number;
        }
        var seats = SainteLague.Allocate(votes, eligible, dapil.Seats, partyNumbers);
        var rankings = ImmutableArray.CreateBuilder<CandidateRanking>(parties.Count);
        Span<int> listBuffer = stackalloc int[parties.Max(p => p.Candidates.Count)];
        for (var p = 0; p < parties.Count; p++)
        {
            var listed = parties[p];
            var listNumbers = listBuffer[..listed.Candidates.Count];
            for (var i = 0; i < listNumbers.Length; i++) listNumbers[i] = listed.Candidates[i].Number;
            rankings.Add(CandidateElection.ElectFromPartyList(entries.Slice(listed.Entry + 1, listed.Candidates.Count), listNumbers, seats.Seats[p]));
        }
        return new SeatProjection(seats, rankings.MoveToImmutable());
    }

    /// <summary>
    /// Which party columns pass the contest's threshold on the national totals (a region row
    /// <c>[reported, quarantined, valid, invalid, parties...]</c>); null when the contest has none.
    /// </summary>
    public static bool[]? Passing(Contest contest, ReadOnlySpan<long> nationalRow)
    {
        if (contest.ThresholdPercent == 0) return null;
        var threshold = new VoteThreshold(contest.ThresholdPercent);
        var passes = new bool[contest.Parties.Count];
        threshold.Apply(nationalRow[4..], nationalRow[2], passes);
        return passes;
    }
}

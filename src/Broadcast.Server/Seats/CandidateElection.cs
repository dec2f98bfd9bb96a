using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Broadcast.Seats;

/// <summary>
/// Who among the candidates takes the seats: the k seats a party won in a dapil go to its k
/// candidates with the most votes (open list), and a province's DPD seats go to its top
/// <see cref="DpdSeatsPerProvince"/> candidates. Equal votes go to the smaller number (the
/// party's list number, or the DPD ballot number); see TieRule.cs. Pure; allocates only the result.
/// </summary>
public static class CandidateElection
{
    /// <summary>Seats per province in the DPD (UU 7/2017 art. 196).</summary>
    public const int DpdSeatsPerProvince = 4;

    /// <summary>
    /// Gives the <paramref name="seatsWon"/> seats a party won in a dapil to its candidates.
    /// </summary>
    /// <param name="votes">Votes per candidate (index = position in the party's list as given), 0 or more.</param>
    /// <param name="listNumbers">Per candidate, the list number (nomor urut); distinct. Settles equal votes.</param>
    /// <param name="seatsWon">The party's seats in the dapil, 0 or more (from <see cref="SainteLague.Allocate"/>).</param>
    /// <remarks>See <see cref="CandidateRanking"/> for the edge values (no candidate votes, a list shorter than the seats).</remarks>
    public static CandidateRanking ElectFromPartyList(ReadOnlySpan<long> votes, ReadOnlySpan<int> listNumbers, int seatsWon) =>
        Elect(votes, listNumbers, seatsWon);

    /// <summary>
    /// Elects a province's DPD members: the top <paramref name="seats"/> candidates by votes.
    /// </summary>
    /// <param name="votes">Votes per candidate (index = position as given), 0 or more.</param>
    /// <param name="ballotNumbers">Per candidate, the number on the province's DPD ballot; distinct. Settles equal votes.</param>
    /// <param name="seats">Seats of the province; <see cref="DpdSeatsPerProvince"/> unless told otherwise.</param>
    public static CandidateRanking ElectDpd(ReadOnlySpan<long> votes, ReadOnlySpan<int> ballotNumbers, int seats = DpdSeatsPerProvince) =>
        Elect(votes, ballotNumbers, seats);

    private static CandidateRanking Elect(ReadOnlySpan<long> votes, ReadOnlySpan<int> numbers, int seats)
    {
        if (numbers.Length != votes.Length)
            throw new ArgumentException($"votes ({votes.Length}) and numbers ({numbers.Length}) must have one entry per candidate.");
        ArgumentOutOfRangeException.ThrowIfNegative(seats);
        var anyVotes = false;
        foreach (var v in votes)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(v, nameof(votes));
            anyVotes |= v > 0;
        }
        TieRule.RequireDistinct(numbers, nameof(numbers));

        var order = RankOrder(votes, numbers);
        var rank = new int[order.Length];
        for (var place = 0; place < order.Length; place++) rank[order[place]] = place + 1;

        // Before any candidate has a vote the order is only the numbering: electing by it would
        // invent a result, so nobody is elected yet and nobody is "next".
        var elected = anyVotes ? Math.Min(seats, order.Length) : 0;
        int? next = anyVotes && elected < order.Length ? order[elected] : null;
        CandidateMargin? margin = null;
        if (elected > 0 && next is { } challenger)
        {
            var last = order[elected - 1];
            // The challenger ranks below, so it has fewer votes, or as many and a larger number.
            var needed = votes[last] - votes[challenger] + (numbers[challenger] < numbers[last] ? 0 : 1);
            margin = new CandidateMargin(last, challenger, needed);
        }
        return new CandidateRanking(ImmutableCollectionsMarshal.AsImmutableArray(order), ImmutableCollectionsMarshal.AsImmutableArray(rank),
            elected, anyVotes ? Math.Max(0, seats - order.Length) : seats, next, margin);
    }

    // Insertion sort: lists are short (at most the dapil's seats, 12; DPD ballots up to ~60) and
    // it needs no comparer object capturing the spans.
    private static int[] RankOrder(ReadOnlySpan<long> votes, ReadOnlySpan<int> numbers)
    {
        var order = new int[votes.Length];
        for (var i = 0; i < order.Length; i++)
        {
            var candidate = i;
            var place = i;
            while (place > 0 && TieRule.Outranks(votes[candidate], numbers[candidate], votes[order[place - 1]], numbers[order[place - 1]]))
            {
                order[place] = order[place - 1];
                place--;
            }
            order[place] = candidate;
        }
        return order;
    }
}

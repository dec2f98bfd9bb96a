using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Broadcast.Seats;

/// <summary>
/// Sainte-Laguë (divisors 1, 3, 5, …) for one dapil, as DPR and DPRD seats are allocated:
/// each seat in turn goes to the eligible party with the largest quotient votes / (2s + 1),
/// s being the seats it holds. Pure and exact (integers only); allocates only the result.
/// </summary>
public static class SainteLague
{
    /// <summary>Votes per party are below this (2^40), so exact cross products fit in a <see cref="long"/>.</summary>
    public const long MaxVotes = 1L << 40;

    /// <summary>Seats per call are at most this (DPR dapil have 3 to 10, DPRD at most 12).</summary>
    public const int MaxSeats = 1000;

    /// <summary>
    /// Allocates <paramref name="seats"/> among the parties of one dapil.
    /// </summary>
    /// <param name="votes">Votes per party slot (index = the party's position on this dapil's ballot); 0 to <see cref="MaxVotes"/> − 1.</param>
    /// <param name="eligible">Per slot, whether the party may win seats (for DPR: it passed the national threshold, see <see cref="VoteThreshold"/>).</param>
    /// <param name="seats">Seats of the dapil, 0 to <see cref="MaxSeats"/>.</param>
    /// <param name="ballotNumbers">Per slot, the party's ballot number; distinct. Settles ties.</param>
    /// <returns>
    /// Seats per slot, the order of the awards, the last seat and its runner-up. When
    /// <paramref name="seats"/> is 0 or no eligible party has a vote, no seat is awarded and both
    /// are null; when no other slot is eligible, the runner-up is null.
    /// </returns>
    /// <remarks>
    /// Tie rule (ours, not the law's; see TieRule.cs): equal quotients go to the party with more
    /// votes in the dapil, then to the smaller ballot number. Ineligible parties and parties
    /// without votes never win a seat; every seat is awarded as soon as one eligible party has a vote.
    /// </remarks>
    /// <exception cref="ArgumentException">Spans of different lengths, votes or seats out of range, a ballot number twice.</exception>
    public static DapilSeats Allocate(ReadOnlySpan<long> votes, ReadOnlySpan<bool> eligible, int seats, ReadOnlySpan<int> ballotNumbers)
    {
        Validate(votes, eligible, seats, ballotNumbers);
        var won = new int[votes.Length];
        if (seats == 0 || !AnyEligibleVotes(votes, eligible))
            return new DapilSeats(ImmutableCollectionsMarshal.AsImmutableArray(won), [], null, null);

        // Seats × parties comparisons (at most ~200 × 24 per dapil): cheaper than a heap at these sizes.
        var order = new int[seats];
        for (var seat = 0; seat < seats; seat++)
        {
            var winner = StrongestClaim(votes, eligible, ballotNumbers, won);
            won[winner]++;
            order[seat] = winner;
        }

        var last = order[^1];
        var lastSeat = new LastSeat(last, new Quotient(votes[last], 2 * won[last] - 1));
        var runnerUp = FindRunnerUp(votes, eligible, ballotNumbers, won, lastSeat);
        return new DapilSeats(ImmutableCollectionsMarshal.AsImmutableArray(won), ImmutableCollectionsMarshal.AsImmutableArray(order), lastSeat, runnerUp);
    }

    /// <summary>
    /// The fewest votes that a party holding <paramref name="seatsHeld"/> seats with
    /// <paramref name="votes"/> votes must gain so that its next claim beats
    /// <paramref name="lastSeat"/>, held by a party with <paramref name="lastVotes"/> votes, under the
    /// tie rule. 0 when it already beats it.
    /// </summary>
    internal static long VotesToBeat(long votes, int seatsHeld, int ballotNumber, Quotient lastSeat, long lastVotes, int lastBallotNumber)
    {
        // With y votes the claim y / dC beats vW / dW when y·dW > vW·dC, or when the two are equal
        // and (y > vW, or y = vW and the ballot number is smaller). The smallest y with y·dW ≥ vW·dC
        // is the ceiling of vW·dC / dW; at exact equality the tie rule decides whether it suffices.
        var divisor = 2L * seatsHeld + 1;
        var target = lastSeat.Votes * divisor;
        var needed = (target + lastSeat.Divisor - 1) / lastSeat.Divisor;
        var winsTie = needed > lastVotes || (needed == lastVotes && ballotNumber < lastBallotNumber);
        if (needed * lastSeat.Divisor == target && !winsTie) needed++;
        return Math.Max(0, needed - votes);
    }

    private static int StrongestClaim(ReadOnlySpan<long> votes, ReadOnlySpan<bool> eligible, ReadOnlySpan<int> ballotNumbers, int[] won)
    {
        var best = -1;
        var bestClaim = default(Quotient);
        for (var slot = 0; slot < votes.Length; slot++)
        {
            if (!eligible[slot] || votes[slot] == 0) continue;
            var claim = Quotient.ForNextSeat(votes[slot], won[slot]);
            if (best < 0 || TieRule.Outranks(claim, votes[slot], ballotNumbers[slot], bestClaim, votes[best], ballotNumbers[best]))
                (best, bestClaim) = (slot, claim);
        }
        return best;
    }

    // Not simply the highest unawarded quotient: a party on divisor 5 needs five votes per unit
    // of quotient, one on divisor 1 needs one, so the minimum is taken over what each one needs.
    private static RunnerUp? FindRunnerUp(ReadOnlySpan<long> votes, ReadOnlySpan<bool> eligible, ReadOnlySpan<int> ballotNumbers, int[] won, LastSeat lastSeat)
    {
        var last = lastSeat.Slot;
        RunnerUp? best = null;
        for (var slot = 0; slot < votes.Length; slot++)
        {
            if (slot == last || !eligible[slot]) continue;
            var needed = VotesToBeat(votes[slot], won[slot], ballotNumbers[slot], lastSeat.Quotient, votes[last], ballotNumbers[last]);
            var claim = Quotient.ForNextSeat(votes[slot], won[slot]);
            // Equal needs: the stronger claim today is named, so the choice does not depend on slot order.
            if (best is not { } current || needed < current.VotesNeeded
                || (needed == current.VotesNeeded && TieRule.Outranks(claim, votes[slot], ballotNumbers[slot], current.NextQuotient, votes[current.Slot], ballotNumbers[current.Slot])))
                best = new RunnerUp(slot, claim, needed);
        }
        return best;
    }

    private static bool AnyEligibleVotes(ReadOnlySpan<long> votes, ReadOnlySpan<bool> eligible)
    {
        for (var slot = 0; slot < votes.Length; slot++)
            if (eligible[slot] && votes[slot] > 0) return true;
        return false;
    }

    private static void Validate(ReadOnlySpan<long> votes, ReadOnlySpan<bool> eligible, int seats, ReadOnlySpan<int> ballotNumbers)
    {
        if (eligible.Length != votes.Length || ballotNumbers.Length != votes.Length)
            throw new ArgumentException($"votes ({votes.Length}), eligible ({eligible.Length}) and ballotNumbers ({ballotNumbers.Length}) must have one entry per party slot.");
        ArgumentOutOfRangeException.ThrowIfNegative(seats);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seats, MaxSeats);
        foreach (var v in votes)
            if (v is < 0 or >= MaxVotes)
                throw new ArgumentOutOfRangeException(nameof(votes), v, $"Votes must be 0 to {MaxVotes - 1}.");
        TieRule.RequireDistinct(ballotNumbers, nameof(ballotNumbers));
    }
}

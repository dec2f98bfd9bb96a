namespace Broadcast.Seats;

/// <summary>
/// A parliamentary threshold: a party takes part in the seat allocation only with at least
/// <see cref="Percent"/> % of the national valid votes (DPR: 4 %, the count so far during the night).
/// Decided in integers, partyVotes · 100 ≥ percent · validVotes, so a party exactly at the
/// threshold passes and one vote below fails, whatever the totals.
/// </summary>
/// <remarks>
/// Edge values: with 0 valid votes nobody passes (nothing is counted yet). A 0 % threshold lets
/// every party through once anything is counted, including parties without a vote.
/// </remarks>
public sealed record VoteThreshold
{
    /// <param name="percent">Whole percent, 0 to 100.</param>
    public VoteThreshold(int percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        Percent = percent;
    }

    /// <summary>The DPR threshold, 4 % of the national valid votes (UU 7/2017 art. 414).</summary>
    public static VoteThreshold Dpr { get; } = new(4);

    public int Percent { get; }

    /// <summary>Whether a party with <paramref name="partyVotes"/> of <paramref name="validVotes"/> national valid votes passes; votes below 2^40.</summary>
    public bool Passes(long partyVotes, long validVotes) =>
        validVotes > 0 && partyVotes * 100 >= Percent * validVotes;

    /// <summary>Fills <paramref name="passes"/> with <see cref="Passes"/> for each party's national votes.</summary>
    public void Apply(ReadOnlySpan<long> partyVotes, long validVotes, Span<bool> passes)
    {
        if (passes.Length != partyVotes.Length)
            throw new ArgumentException($"passes ({passes.Length}) must have one entry per party ({partyVotes.Length}).", nameof(passes));
        for (var party = 0; party < partyVotes.Length; party++)
            passes[party] = Passes(partyVotes[party], validVotes);
    }
}

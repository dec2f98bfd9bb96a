using System.Collections.Immutable;
using System.Text;

namespace Broadcast.Seats;

/// <summary>
/// The seats of one dapil as <see cref="SainteLague.Allocate"/> gives them. Immutable, with value
/// equality over the contents of the arrays (a record alone would compare them by reference), so
/// an aggregation run can compare it with the previous run's result to see whether anything moved.
/// </summary>
/// <remarks>
/// Edge values: with 0 seats, or no eligible party with a vote, <see cref="Seats"/> is all zeros,
/// <see cref="AwardOrder"/> is empty and <see cref="LastSeat"/> and <see cref="RunnerUp"/> are null.
/// Otherwise every seat is awarded and <see cref="LastSeat"/> is set; <see cref="RunnerUp"/> is null
/// only when no other party is eligible.
/// </remarks>
public sealed record DapilSeats
{
    internal DapilSeats(ImmutableArray<int> seats, ImmutableArray<int> awardOrder, LastSeat? lastSeat, RunnerUp? runnerUp)
    {
        Seats = seats;
        AwardOrder = awardOrder;
        LastSeat = lastSeat;
        RunnerUp = runnerUp;
    }

    /// <summary>Seats won per party slot (same indices as the votes); sums to the seats awarded.</summary>
    public ImmutableArray<int> Seats { get; }

    /// <summary>The slot that won each seat, first seat first; empty when no seat was awarded.</summary>
    public ImmutableArray<int> AwardOrder { get; }

    /// <summary>The last seat awarded (the one a swing would move); null when no seat was awarded.</summary>
    public LastSeat? LastSeat { get; }

    /// <summary>The party that needs the fewest extra votes to take the last seat; null when there is no last seat or no other eligible party.</summary>
    public RunnerUp? RunnerUp { get; }

    /// <summary>Whether the seats per party are the same as <paramref name="other"/>'s (the margins may differ).</summary>
    public bool HasSameSeats(DapilSeats other) => Seats.AsSpan().SequenceEqual(other.Seats.AsSpan());

    public bool Equals(DapilSeats? other) =>
        other is not null
        && HasSameSeats(other)
        && AwardOrder.AsSpan().SequenceEqual(other.AwardOrder.AsSpan())
        && LastSeat == other.LastSeat
        && RunnerUp == other.RunnerUp;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var seats in Seats) hash.Add(seats);
        foreach (var slot in AwardOrder) hash.Add(slot);
        hash.Add(LastSeat);
        hash.Add(RunnerUp);
        return hash.ToHashCode();
    }

    // Shows the arrays' contents in test failures and logs, not the array type.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Seats = [{string.Join(", ", Seats)}], AwardOrder = [{string.Join(", ", AwardOrder)}], ");
        builder.Append($"LastSeat = {(LastSeat?.ToString() ?? "none")}, RunnerUp = {(RunnerUp?.ToString() ?? "none")}");
        return true;
    }
}

/// <summary>
/// Who took the last seat of a dapil: the party <see cref="Slot"/> and its winning claim, votes
/// over the divisor of that seat (<see cref="Quotient.Divisor"/> = 2·seats − 1; 1 if it is the party's first seat).
/// </summary>
public readonly record struct LastSeat(int Slot, Quotient Quotient);

/// <summary>
/// The party closest to taking the last seat: <see cref="Slot"/>, its claim to its next seat
/// today (<see cref="NextQuotient"/>, divisor 2·seats + 1), and <see cref="VotesNeeded"/>, the
/// fewest extra votes with which it would be awarded that seat under the tie rule (1 or more).
/// When several parties need the same number, the one with the stronger claim today is named.
/// </summary>
public readonly record struct RunnerUp(int Slot, Quotient NextQuotient, long VotesNeeded);

namespace Broadcast.Seats;

/// <summary>
/// A Sainte-Laguë quotient kept as the exact fraction <see cref="Votes"/> / <see cref="Divisor"/>:
/// a party's votes over 2s + 1, its claim to its (s + 1)-th seat. No rounding ever decides a seat,
/// so quotients are compared by cross-multiplying, never divided.
/// </summary>
/// <remarks>
/// <para><see cref="Votes"/> is 0 or more and below <see cref="SainteLague.MaxVotes"/> (2^40);
/// <see cref="Divisor"/> is odd and 1 or more (1, 3, 5, …, at most 2·<see cref="SainteLague.MaxSeats"/> − 1),
/// so the cross products in <see cref="CompareTo"/> stay below 2^51.</para>
/// <para>Record equality compares the two numbers as written, not the value: 2/6 and 1/3 are not
/// equal, though <see cref="CompareTo"/> returns 0. Within one allocation the divisor follows from
/// the seats held, so "same representation" is what a change check wants.</para>
/// </remarks>
public readonly record struct Quotient(long Votes, int Divisor)
{
    /// <summary>The claim of a party with <paramref name="votes"/> to its next seat, holding <paramref name="seatsHeld"/> (divisor 2·seatsHeld + 1).</summary>
    public static Quotient ForNextSeat(long votes, int seatsHeld) => new(votes, 2 * seatsHeld + 1);

    /// <summary>The whole part (votes ÷ divisor, rounded down), for display only.</summary>
    public long WholePart => Votes / Divisor;

    /// <summary>Negative when this quotient is smaller than <paramref name="other"/>, 0 when equal in value, positive when larger.</summary>
    public int CompareTo(Quotient other) => (Votes * other.Divisor).CompareTo(other.Votes * Divisor);

    public override string ToString() => Divisor == 1 ? Votes.ToString() : $"{Votes}/{Divisor}";
}

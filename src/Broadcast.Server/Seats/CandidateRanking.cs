using System.Collections.Immutable;
using System.Text;

namespace Broadcast.Seats;

/// <summary>
/// The candidates of one party list (or one DPD province) in the order they take seats, and who
/// is elected. Immutable, with value equality over the contents of the arrays, so a run can tell
/// whether anything changed since the previous one.
/// </summary>
/// <remarks>
/// Edge values: while no candidate has a vote, nobody is elected (<see cref="ElectedCount"/> 0,
/// every seat in <see cref="UnfilledSeats"/>), <see cref="Next"/> and <see cref="Margin"/> are
/// null, and <see cref="Rank"/> follows the numbers alone. Once one has a vote, seats are filled
/// in rank order, candidates without votes included (by number). A list shorter than the seats
/// elects everyone and leaves the rest in <see cref="UnfilledSeats"/>; then there is no
/// <see cref="Next"/>. With 0 seats <see cref="Next"/> is the top candidate and there is no margin.
/// </remarks>
public sealed record CandidateRanking
{
    internal CandidateRanking(ImmutableArray<int> order, ImmutableArray<int> rank, int electedCount, int unfilledSeats, int? next, CandidateMargin? margin)
    {
        Order = order;
        Rank = rank;
        ElectedCount = electedCount;
        UnfilledSeats = unfilledSeats;
        Next = next;
        Margin = margin;
    }

    /// <summary>Candidate indices, strongest first (most votes, then smaller number).</summary>
    public ImmutableArray<int> Order { get; }

    /// <summary>Per candidate (same indices as the votes), its rank: 1 for the strongest.</summary>
    public ImmutableArray<int> Rank { get; }

    /// <summary>How many candidates are elected: the first <see cref="ElectedCount"/> of <see cref="Order"/>.</summary>
    public int ElectedCount { get; }

    /// <summary>Seats nobody takes: more seats than candidates, or no candidate has a vote yet.</summary>
    public int UnfilledSeats { get; }

    /// <summary>The first candidate not elected, who would take the next seat; null when all are elected or nobody has a vote.</summary>
    public int? Next { get; }

    /// <summary>How many votes <see cref="Next"/> needs to overtake the last elected; null when either is missing.</summary>
    public CandidateMargin? Margin { get; }

    /// <summary>Whether the candidate at <paramref name="candidate"/> is elected.</summary>
    public bool IsElected(int candidate) => Rank[candidate] <= ElectedCount;

    public bool Equals(CandidateRanking? other) =>
        other is not null
        && ElectedCount == other.ElectedCount
        && UnfilledSeats == other.UnfilledSeats
        && Next == other.Next
        && Margin == other.Margin
        && Order.AsSpan().SequenceEqual(other.Order.AsSpan());

    // Rank is the inverse of Order, so comparing Order covers it.
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var candidate in Order) hash.Add(candidate);
        hash.Add(ElectedCount);
        hash.Add(UnfilledSeats);
        hash.Add(Next);
        hash.Add(Margin);
        return hash.ToHashCode();
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Order = [{string.Join(", ", Order)}], ElectedCount = {ElectedCount}, UnfilledSeats = {UnfilledSeats}, ");
        builder.Append($"Next = {(Next?.ToString() ?? "none")}, Margin = {(Margin?.ToString() ?? "none")}");
        return true;
    }
}

/// <summary>
/// The closest call of a candidate election: <see cref="FirstNotElected"/> needs
/// <see cref="VotesNeeded"/> more votes (1 or more) to overtake <see cref="LastElected"/> under the
/// tie rule (equal votes go to the smaller number), i.e. the difference, plus 1 unless the
/// challenger has the smaller number.
/// </summary>
public readonly record struct CandidateMargin(int LastElected, int FirstNotElected, long VotesNeeded);

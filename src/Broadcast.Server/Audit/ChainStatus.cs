namespace Broadcast.Audit;

/// <summary>
/// What the last check of the revision chain found (it runs whenever the tally is folded from
/// the whole log: at start-up, on a rebuild, on a reconciliation). A break means a stored
/// revision was altered, removed or inserted after it was written: <c>/health/ready</c> fails
/// and says where.
/// </summary>
public sealed class ChainStatus
{
    private volatile Result? _last;

    public sealed record Result(long Checked, long? FirstBreak, DateTimeOffset At);

    public Result? Last => _last;

    public void Record(long checkedRevisions, long? firstBreak, TimeProvider clock) =>
        _last = new Result(checkedRevisions, firstBreak, clock.GetUtcNow());
}

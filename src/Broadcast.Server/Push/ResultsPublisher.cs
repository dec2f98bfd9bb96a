using Broadcast.Aggregation;
using Broadcast.Health;
using Broadcast.Results;

namespace Broadcast.Push;

/// <summary>
/// Where the aggregator announces a run it applied to this node's tally, its own or one taken
/// in from another node: the changes of the groups followed here are built and handed to the
/// <see cref="Fanout"/> (which sends to this node's viewers), and in-process listeners (graphics
/// streams) are woken. Never waits on a viewer.
/// </summary>
public sealed class ResultsPublisher
{
    private readonly ResultsView view;
    private readonly Fanout fanout;
    private readonly BroadcastMetrics metrics;

    public ResultsPublisher(ResultsView view, Fanout fanout, BroadcastMetrics metrics, Publication.Holds holds)
    {
        (this.view, this.fanout, this.metrics) = (view, fanout, metrics);
        // A hold or a release changes what viewers are sent, as a run does.
        holds.Changed += (taken, released) =>
        {
            fanout.HoldsChanged(taken, released);
            SignalPublished();
        };
    }

    private TaskCompletionSource _nextPublish = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next publish: in-process listeners (graphics streams) wait on it instead of polling.</summary>
    public Task NextPublish => Volatile.Read(ref _nextPublish).Task;

    private void SignalPublished() =>
        Interlocked.Exchange(ref _nextPublish, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Called by the aggregator right after <see cref="Tally.Apply"/>, under its run lock, for its own runs and those it takes in.</summary>
    public void Publish(TallyChanges changes)
    {
        var built = view.Changes(changes, fanout.IsFollowed);
        fanout.Publish(built);
        metrics.DeltasPublished(built.Count);
        SignalPublished();
    }

    /// <summary>This node reloaded the stored totals (far behind, or another node rebuilt them).</summary>
    public void Reloaded(bool newEpoch, string epoch)
    {
        if (newEpoch) fanout.Rebuilt(epoch); else fanout.Resync();
        SignalPublished();
    }

    /// <summary>This node rebuilt every total under a new epoch.</summary>
    public void Rebuilt(string epoch)
    {
        fanout.Rebuilt(epoch);
        SignalPublished();
    }
}

using System.Threading.Channels;
using Broadcast.Aggregation;
using Broadcast.Health;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Broadcast.Push;

/// <summary>
/// Turns an applied aggregation run into one <see cref="TotalsChanged"/> per changed group that
/// someone watches (<see cref="WatchedGroups"/>),
/// records them in the history and hands them to a background sender, so that the
/// aggregator never waits on viewers' sockets.
/// </summary>
public sealed partial class ResultsPublisher(
    ResultsView view, DeltaHistory history, WatchedGroups watched, IHubContext<ResultsHub> hub, BroadcastMetrics metrics,
    IOptions<ViewerOptions> viewers, ILogger<ResultsPublisher> logger) : BackgroundService
{
    private readonly Channel<object> _outbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

    public long DeltasPublished => Interlocked.Read(ref _published);
    private long _published;

    private TaskCompletionSource _nextPublish = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next publish: in-process listeners (graphics streams) wait on it instead of polling.</summary>
    public Task NextPublish => Volatile.Read(ref _nextPublish).Task;

    private void SignalPublished() =>
        Interlocked.Exchange(ref _nextPublish, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Called by the aggregator right after <see cref="Tally.Apply"/>, under its run lock.</summary>
    public void Publish(TallyChanges changes)
    {
        var deltas = view.Deltas(changes, watched.IsWatchedAnywhere);
        history.Add(deltas);
        if (deltas.Count > 0) _outbox.Writer.TryWrite(deltas);
        SignalPublished();
    }

    /// <summary>
    /// A run another node committed and sent, taken in by this node: the deltas of the groups
    /// watched here go into this node's history (for Resume here) and wake this node's graphics
    /// streams; they are not sent again, the committing node's send reached every node's
    /// viewers over the backplane.
    /// </summary>
    public void Record(TallyChanges changes)
    {
        var deltas = view.Deltas(changes, watched.IsWatchedHere);
        history.Add(deltas);
        // A group this node gained a moment ago may not have reached the committing node's
        // picture in time: send its delta from here too (viewers drop a duplicate by version).
        if (watched.GainedRecently)
        {
            var unsure = deltas.Where(d => watched.IsJustWatchedHere(GroupNames.Results(d.Contest, d.Region))).ToList();
            if (unsure.Count > 0) _outbox.Writer.TryWrite(unsure);
        }
        SignalPublished();
    }

    /// <summary>This node reloaded the stored totals; in a new epoch its history means nothing any more.</summary>
    public void RecordReload(bool newEpoch)
    {
        if (newEpoch) history.Clear();
        SignalPublished();
    }

    public void PublishRebuilt(string epoch)
    {
        history.Clear();
        _outbox.Writer.TryWrite(new TotalsRebuilt(epoch));
        SignalPublished();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var item in _outbox.Reader.ReadAllAsync(stoppingToken))
        {
            var clients = hub.Clients;
            try
            {
                if (item is TotalsRebuilt rebuilt)
                {
                    await clients.All.SendAsync(HubEvents.TotalsRebuilt, rebuilt, stoppingToken);
                    continue;
                }
                var deltas = (IReadOnlyList<TotalsChanged>)item;
                // Sends are started and not awaited here: a viewer that stops reading delays only
                // its own socket, never the next run. A write still waiting 20 s past Viewers:SendTimeout is
                // cancelled, so a stuck socket cannot pin deltas in memory for ever (ViewerWatch
                // drops a viewer whose socket stopped taking writes well before that).
                var stuck = new CancellationTokenSource(viewers.Value.SendTimeout + StuckWriteMargin);
                var sends = new Task[deltas.Count];
                for (var i = 0; i < deltas.Count; i++)
                    sends[i] = clients.Group(GroupNames.Results(deltas[i].Contest, deltas[i].Region))
                        .SendAsync(HubEvents.TotalsChanged, deltas[i], stuck.Token);
                _ = ObserveAsync(Task.WhenAll(sends), stuck);
                Interlocked.Add(ref _published, deltas.Count);
                metrics.DeltasPublished(deltas.Count);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Clients detect the gap by version and resume; nothing else to do here.
                LogSendFailed(logger, e);
            }
        }
    }

    private static readonly TimeSpan StuckWriteMargin = TimeSpan.FromSeconds(20);

    private async Task ObserveAsync(Task sends, CancellationTokenSource stuck)
    {
        try { await sends; }
        catch (Exception e) { LogSendFailed(logger, e); }
        finally { stuck.Dispose(); }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Sending deltas failed; subscribers will resume from history")]
    private static partial void LogSendFailed(ILogger logger, Exception exception);
}

public static class HubEvents
{
    public const string TotalsChanged = nameof(TotalsChanged);
    public const string TotalsRebuilt = nameof(TotalsRebuilt);
}

using System.Threading.Channels;
using Broadcast.Health;
using Broadcast.Storage;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Broadcast.Aggregation;

/// <summary>
/// The Hangfire job that folds new forms into the totals. Hangfire runs a job at least once;
/// running it twice, or twice at once on two nodes, is harmless (see <see cref="Aggregator"/>).
/// </summary>
[Queue(AggregationTrigger.Queue)]
public sealed class AggregationJob(Aggregator aggregator, BroadcastMetrics metrics, TimeProvider clock)
{
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [1, 2, 5, 10, 30])]
    public async Task RunAsync(long enqueuedAtUnixMs, CancellationToken cancellationToken)
    {
        metrics.JobStarted(clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(enqueuedAtUnixMs));
        await aggregator.DrainAsync(cancellationToken);
    }
}

/// <summary>
/// Wakes the aggregation job after ingest, coalesced: a job is enqueued only when none is
/// waiting in the queue and this node is not draining, however many forms arrive and on
/// however many nodes. A waiting job covers every form stored before it starts (a run reads
/// the store after it starts), and a drain covers every form stored before it ends (it looks
/// once more after releasing its lock), so a wake that finds either has nothing to add. Wakes
/// never block the caller (the writer): they are checked one at a time in the background, at
/// most one waits meanwhile, and a node enqueues at most one job per run interval, so wakes
/// during another node's drain cost a few turned-away jobs per second, not one per commit.
/// </summary>
public sealed partial class AggregationTrigger(IBackgroundJobClient jobs, JobStorage storage, TimeProvider clock,
    IOptions<AggregationOptions> options, ILogger<AggregationTrigger> logger) : BackgroundService
{
    public const string Queue = "aggregation";

    private readonly Channel<bool> _wakes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private int _draining;

    public void Wake() => _wakes.Writer.TryWrite(true);

    internal void DrainStarted() => Interlocked.Increment(ref _draining);

    internal void DrainEnded() => Interlocked.Decrement(ref _draining);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in _wakes.Reader.ReadAllAsync(stoppingToken))
        {
            if (Volatile.Read(ref _draining) > 0) continue;
            try
            {
                if (storage.GetMonitoringApi().EnqueuedCount(Queue) > 0) continue;
                jobs.Enqueue<AggregationJob>(job => job.RunAsync(clock.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None));
            }
            catch (Exception e)
            {
                // The job storage is down (PostgreSQL restarting): the watchdog wakes again.
                LogEnqueueFailed(logger, e);
                continue;
            }
            await Task.Delay(options.Value.MinRunInterval, clock, stoppingToken);
        }
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Error, Message = "Could not queue the aggregation job; the watchdog will try again")]
    private static partial void LogEnqueueFailed(ILogger logger, Exception exception);
}

/// <summary>
/// Every few seconds (and at start-up), wakes the aggregator if stored forms are not yet folded:
/// covers a wake lost with a crashed node or while the job storage was down.
/// </summary>
internal sealed partial class AggregationWatchdog(AggregationTrigger trigger, FormStore store, TallyHolder holder,
    BroadcastMetrics metrics, ILogger<AggregationWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tally = await holder.ReadyAsync(stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        do
        {
            try
            {
                var lastSeq = await store.ReadLastSeqAsync();
                metrics.SeenSeq(lastSeq);
                if (lastSeq > tally.State.Checkpoint) trigger.Wake();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogCheckFailed(logger, e); // the store is busy or down: try again at the next tick
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "The aggregation watchdog could not read the store; it tries again shortly")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}

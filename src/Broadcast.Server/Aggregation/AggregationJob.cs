using Broadcast.Storage;
using Hangfire;

namespace Broadcast.Aggregation;

/// <summary>
/// The Hangfire job that folds new forms into the totals. Hangfire runs a job at least once;
/// running it twice, or twice at once, is harmless (see <see cref="Aggregator"/>).
/// </summary>
[Queue(AggregationTrigger.Queue)]
public sealed class AggregationJob(Aggregator aggregator, AggregationTrigger trigger)
{
    [AutomaticRetry(Attempts = 5, DelaysInSeconds = [1, 2, 5, 10, 30])]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Cleared before reading, so forms stored during this run wake the next one.
        trigger.Started();
        await aggregator.RunAsync(cancellationToken);
    }
}

/// <summary>
/// Wakes the aggregation job after ingest, coalesced: at most one run is queued at a time,
/// however many forms arrive. A watchdog re-queues if a queued run never started (a lost
/// job in in-memory storage after a crash) and catches up at start-up.
/// </summary>
public sealed partial class AggregationTrigger(IBackgroundJobClient jobs, TimeProvider clock, ILogger<AggregationTrigger> logger)
{
    public const string Queue = "aggregation";
    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(30);

    private int _queued;
    private long _queuedAt;

    public void Wake()
    {
        if (Interlocked.CompareExchange(ref _queued, 1, 0) != 0) return;
        Volatile.Write(ref _queuedAt, clock.GetTimestamp());
        try
        {
            jobs.Enqueue<AggregationJob>(job => job.RunAsync(CancellationToken.None));
        }
        catch (Exception e)
        {
            Volatile.Write(ref _queued, 0);
            LogEnqueueFailed(logger, e);
        }
    }

    internal void Started() => Volatile.Write(ref _queued, 0);

    /// <summary>Called periodically: forgets a queued run that never started, then wakes.</summary>
    internal void WakeIfStuck()
    {
        if (Volatile.Read(ref _queued) == 1 && clock.GetElapsedTime(Volatile.Read(ref _queuedAt)) > LostAfter)
            Volatile.Write(ref _queued, 0);
        Wake();
    }

    [LoggerMessage(EventId = 320, Level = LogLevel.Error, Message = "Could not queue the aggregation job; the watchdog will try again")]
    private static partial void LogEnqueueFailed(ILogger logger, Exception exception);
}

/// <summary>Every few seconds (and at start-up), wakes the aggregator if stored forms are not yet folded.</summary>
internal sealed partial class AggregationWatchdog(AggregationTrigger trigger, FormStore store, TallyHolder holder,
    ILogger<AggregationWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tally = await holder.ReadyAsync(stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        do
        {
            try
            {
                if (await store.ReadLastSeqAsync() > tally.State.Checkpoint) trigger.WakeIfStuck();
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

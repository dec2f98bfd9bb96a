using Broadcast.Aggregation;
using Microsoft.Extensions.Options;

namespace Broadcast.Cluster;

/// <summary>
/// Keeps this node's tally at the stored checkpoint when other nodes run the aggregation:
/// woken by their notices, and by a poll of PostgreSQL (so it works with Redis down), and on
/// demand by a viewer that knows a newer version than this node (<see cref="CatchUpAsync"/>).
/// </summary>
public sealed partial class TallyFollower(Aggregator aggregator, ClusterNotices notices, IOptions<ClusterOptions> options,
    ILogger<TallyFollower> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _lock = new();
    private Task? _inFlight;

    /// <summary>
    /// Takes in what other nodes committed. Calls that arrive while one is under way share it,
    /// so a reconnect storm of viewers asking for newer versions costs one read of the store.
    /// </summary>
    public Task CatchUpAsync()
    {
        lock (_lock)
        {
            if (_inFlight is { IsCompleted: false }) return _inFlight;
            return _inFlight = FollowOnceAsync();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await notices.SubscribeAsync(Wake);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSubscribeFailed(logger, e); // Redis is down at start-up: the poll below still follows
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            await _wake.WaitAsync(options.Value.FollowInterval, stoppingToken);
            await CatchUpAsync();
        }
    }

    private void Wake()
    {
        try { _wake.Release(); }
        catch (SemaphoreFullException) { } // already woken
    }

    private async Task FollowOnceAsync()
    {
        await Task.Yield();
        try
        {
            await aggregator.FollowAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFollowFailed(logger, e); // the store is down or restarting: the next poll tries again
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "Could not take in runs committed by other nodes; trying again shortly")]
    private static partial void LogFollowFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "Could not subscribe to run notices in Redis; following by polling PostgreSQL")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}

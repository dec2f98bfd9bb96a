using Broadcast.Cluster;
using Broadcast.Storage;
using Microsoft.Extensions.Options;

namespace Broadcast.Ingest;

/// <summary>
/// Keeps this node's <see cref="IngestKeys"/> equal to the store's table: read before the node
/// serves, then again whenever its version moves. The version is polled every
/// <see cref="IngestOptions.KeyRefreshInterval"/> (one small query) and another node's Redis
/// notice wakes the poll at once, so a key revoked on one node is refused on every node within
/// milliseconds, or within the interval when Redis is down.
/// </summary>
public sealed partial class IngestKeyRefresher(FormStore store, IngestKeys keys, ClusterNotices notices, IOptions<IngestOptions> options,
    ILogger<IngestKeyRefresher> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly SemaphoreSlim _reading = new(1, 1);

    /// <summary>The first read happens before the node takes requests: a stored key works from the first one.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await notices.SubscribeIngestKeysAsync(Wake);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSubscribeFailed(logger, e); // Redis is down at start-up: the poll below still sees every change
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            await _wake.WaitAsync(options.Value.KeyRefreshInterval, stoppingToken);
            try
            {
                await RefreshAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRefreshFailed(logger, e); // the store is down: the keys held stay, and appends fail anyway
            }
        }
    }

    /// <summary>Reads the table again if its version moved. After a change on this node, call it before answering.</summary>
    public async Task RefreshAsync()
    {
        await _reading.WaitAsync();
        try
        {
            if (await store.ReadIngestKeysVersionAsync() == keys.Version) return;
            var table = await store.ReadIngestKeysAsync();
            keys.Replace(table);
            LogKeysRead(logger, table.Version, table.Keys.Count(k => !k.Revoked), table.Keys.Count(k => k.Revoked));
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>After this node changed the table: takes the change in, then tells the other nodes.</summary>
    public async Task ChangedHereAsync()
    {
        await RefreshAsync();
        notices.IngestKeysChanged(keys.Version);
    }

    private void Wake()
    {
        try { _wake.Release(); }
        catch (SemaphoreFullException) { } // already woken
    }

    [LoggerMessage(EventId = 211, Level = LogLevel.Information, Message = "Ingest keys in the store, version {Version}: {Live} live, {Revoked} revoked")]
    private static partial void LogKeysRead(ILogger logger, long version, int live, int revoked);

    [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "Could not read the ingest keys from the store; keeping the ones held and trying again shortly")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "Could not subscribe to ingest key notices in Redis; following key changes by polling the store")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}

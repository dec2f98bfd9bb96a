using System.Collections.Concurrent;
using Broadcast.Cluster;
using Microsoft.Extensions.Options;

namespace Broadcast.Push;

/// <summary>
/// Which groups have viewers, here and (scale-out) on the other nodes, so that a run builds and
/// sends deltas only for groups someone watches. A run changes thousands of villages and
/// districts nobody has open; building, serializing and publishing their deltas over the
/// backplane was most of a node's work. Each node announces its set over Redis when it gains a
/// group and every second; a node's announcement expires when it stops (a dead node).
/// Where the picture may be incomplete, the answer errs towards sending: for a few seconds
/// after start-up or after Redis reconnects every group counts as watched, and a node that
/// has just gained a group sends that group's deltas itself until every node has heard of it
/// (viewers drop the duplicates by version).
/// </summary>
public sealed partial class WatchedGroups(ClusterNotices notices, IOptions<ClusterOptions> options, TimeProvider clock,
    ILogger<WatchedGroups> logger) : BackgroundService
{
    /// <summary>How long a node's announcement counts, and how long "just watched" lasts: a few announcement periods.</summary>
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan AnnounceEvery = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, int> _here = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _watchedSince = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (HashSet<string> Groups, long At)> _others = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _announceNow = new(0, 1);
    private long _incompleteUntil = clock.GetTimestamp() + (long)(Freshness.TotalSeconds * clock.TimestampFrequency);

    private bool Clustered => options.Value.Enabled;

    public void Subscribed(string group)
    {
        if (_here.AddOrUpdate(group, 1, (_, n) => n + 1) != 1) return;
        var now = clock.GetTimestamp();
        _watchedSince[group] = now;
        Interlocked.Exchange(ref _lastGained, now);
        if (Clustered) Signal();
    }

    public void Unsubscribed(string group)
    {
        if (_here.AddOrUpdate(group, 0, (_, n) => n - 1) <= 0 && _here.TryRemove(KeyValuePair.Create(group, 0)))
            _watchedSince.TryRemove(group, out _);
    }

    public bool IsWatchedHere(string group) => _here.ContainsKey(group);

    /// <summary>Watched on this node or on any node that announced it lately; every group while the picture may be incomplete.</summary>
    public bool IsWatchedAnywhere(string group)
    {
        if (_here.ContainsKey(group)) return true;
        if (!Clustered) return false;
        if (clock.GetTimestamp() < Interlocked.Read(ref _incompleteUntil)) return true;
        foreach (var (groups, at) in _others.Values)
            if (clock.GetElapsedTime(at) < Freshness && groups.Contains(group)) return true;
        return false;
    }

    private long _lastGained;

    /// <summary>Whether any group was gained here within the "just watched" time: spares the per-delta check otherwise.</summary>
    public bool GainedRecently => Clustered && clock.GetElapsedTime(Interlocked.Read(ref _lastGained)) < Freshness;

    /// <summary>Gained here so recently that the aggregating node may not have heard of it yet.</summary>
    public bool IsJustWatchedHere(string group) =>
        Clustered && _watchedSince.TryGetValue(group, out var since) && clock.GetElapsedTime(since) < Freshness;

    /// <summary>Redis came back: announcements were lost meanwhile, so send everything until they are current again.</summary>
    internal void PictureIncomplete() =>
        Interlocked.Exchange(ref _incompleteUntil, clock.GetTimestamp() + (long)(Freshness.TotalSeconds * clock.TimestampFrequency));

    private void Signal()
    {
        try { _announceNow.Release(); }
        catch (SemaphoreFullException) { } // an announcement is already due
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Clustered) return;
        notices.OnReconnected(PictureIncomplete);
        try
        {
            await notices.SubscribeWatchedAsync((node, groups) => _others[node] = (groups, clock.GetTimestamp()));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSubscribeFailed(logger, e); // every group counts as watched until announcements arrive
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            await _announceNow.WaitAsync(AnnounceEvery, stoppingToken);
            notices.AnnounceWatched(_here.Keys);
        }
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Warning, Message = "Could not subscribe to other nodes' watched groups; sending every group's deltas")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}

using Broadcast.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Broadcast.Cluster;

/// <summary>
/// The nodes' small Redis messages to each other: "a run was committed", from the node that
/// committed it, so that the others take the run in at once instead of at their next poll;
/// and each node's watched groups (<see cref="Push.WatchedGroups"/>). Best effort by design:
/// a lost notice only delays a follower until its poll, a lost announcement is repeated within
/// a second (Redis is not on the path of any guarantee). Without Redis (one node) it does nothing.
/// </summary>
public sealed class ClusterNotices(IOptions<ClusterOptions> options, IServiceProvider services)
{
    private readonly IConnectionMultiplexer? _redis = options.Value.Enabled ? services.GetRequiredService<IConnectionMultiplexer>() : null;
    private readonly RedisChannel _channel = RedisChannel.Literal($"{options.Value.ChannelPrefix}:committed");
    private readonly RedisChannel _watched = RedisChannel.Literal($"{options.Value.ChannelPrefix}:watched");
    private readonly string _node = options.Value.NodeName;

    public void Committed(AggregationState state)
    {
        if (_redis is null || !_redis.IsConnected) return;
        try
        {
            _redis.GetSubscriber().Publish(_channel, $"{_node}|{state.Epoch}|{state.Checkpoint}", CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Followers poll; a notice is only a shortcut.
        }
    }

    /// <summary>Calls <paramref name="onCommitted"/> for every notice from another node.</summary>
    public async Task SubscribeAsync(Action onCommitted)
    {
        if (_redis is null) return;
        var prefix = _node + "|";
        await _redis.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
        {
            if (!message.ToString().StartsWith(prefix, StringComparison.Ordinal)) onCommitted();
        });
    }

    /// <summary>This node's watched groups, as one message: "node|group\ngroup...".</summary>
    public void AnnounceWatched(IEnumerable<string> groups)
    {
        if (_redis is null || !_redis.IsConnected) return;
        try
        {
            _redis.GetSubscriber().Publish(_watched, _node + "|" + string.Join('\n', groups), CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Repeated within a second.
        }
    }

    /// <summary>Calls <paramref name="onAnnounced"/> with every other node's watched groups.</summary>
    public async Task SubscribeWatchedAsync(Action<string, HashSet<string>> onAnnounced)
    {
        if (_redis is null) return;
        await _redis.GetSubscriber().SubscribeAsync(_watched, (_, message) =>
        {
            var text = message.ToString();
            var bar = text.IndexOf('|');
            if (bar <= 0 || text.AsSpan(0, bar).SequenceEqual(_node)) return;
            var groups = bar + 1 == text.Length ? [] : text[(bar + 1)..].Split('\n').ToHashSet(StringComparer.Ordinal);
            onAnnounced(text[..bar], groups);
        });
    }

    /// <summary>Calls <paramref name="onReconnected"/> whenever the connection to Redis is restored.</summary>
    public void OnReconnected(Action onReconnected)
    {
        if (_redis is not null) _redis.ConnectionRestored += (_, _) => onReconnected();
    }
}

using Broadcast.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Broadcast.Cluster;

/// <summary>
/// The nodes' small Redis messages to each other: "a run was committed", from the node that
/// committed it, so that the others take the run in (and send it to their own viewers) at once
/// instead of at their next poll; and "the ingest keys changed", so that a revoked key is
/// refused everywhere at once. Best effort by design: a lost notice only delays a node until
/// its poll (Redis is not on the path of any guarantee). Without Redis (one node) it does nothing.
/// </summary>
public sealed class ClusterNotices(IOptions<ClusterOptions> options, IServiceProvider services)
{
    private readonly IConnectionMultiplexer? _redis = options.Value.Enabled ? services.GetRequiredService<IConnectionMultiplexer>() : null;
    private readonly RedisChannel _channel = RedisChannel.Literal($"{options.Value.ChannelPrefix}:committed");
    private readonly RedisChannel _keysChannel = RedisChannel.Literal($"{options.Value.ChannelPrefix}:ingest-keys");
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

    /// <summary>Tells the other nodes that the ingest key table changed (a key was added, changed or revoked).</summary>
    public void IngestKeysChanged(long version)
    {
        if (_redis is null || !_redis.IsConnected) return;
        try
        {
            _redis.GetSubscriber().Publish(_keysChannel, $"{_node}|{version}", CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Nodes poll the key table's version; a notice is only a shortcut.
        }
    }

    /// <summary>Calls <paramref name="onChanged"/> for every key notice from another node.</summary>
    public async Task SubscribeIngestKeysAsync(Action onChanged)
    {
        if (_redis is null) return;
        var prefix = _node + "|";
        await _redis.GetSubscriber().SubscribeAsync(_keysChannel, (_, message) =>
        {
            if (!message.ToString().StartsWith(prefix, StringComparison.Ordinal)) onChanged();
        });
    }
}

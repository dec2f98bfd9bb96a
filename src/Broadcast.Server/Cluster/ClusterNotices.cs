using Broadcast.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Broadcast.Cluster;

/// <summary>
/// The nodes' small Redis message to each other: "a run was committed", from the node that
/// committed it, so that the others take the run in (and send it to their own viewers) at once
/// instead of at their next poll. Best effort by design: a lost notice only delays a follower
/// until its poll (Redis is not on the path of any guarantee). Without Redis (one node) it does nothing.
/// </summary>
public sealed class ClusterNotices(IOptions<ClusterOptions> options, IServiceProvider services)
{
    private readonly IConnectionMultiplexer? _redis = options.Value.Enabled ? services.GetRequiredService<IConnectionMultiplexer>() : null;
    private readonly RedisChannel _channel = RedisChannel.Literal($"{options.Value.ChannelPrefix}:committed");
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
}

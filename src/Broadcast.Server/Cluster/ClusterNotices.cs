using Broadcast.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Broadcast.Cluster;

/// <summary>
/// The nodes' small Redis messages to each other: "a run was committed", from the node that
/// committed it, so that the others take the run in (and send it to their own viewers) at once
/// instead of at their next poll; "the ingest keys changed", so that a revoked key is refused
/// everywhere at once; "the publication holds changed", so that a hold freezes every node's
/// screens together. Best effort by design: a lost notice only delays a node until its poll
/// (Redis is not on the path of any guarantee). Without Redis (one node) it does nothing.
/// </summary>
public sealed class ClusterNotices(IOptions<ClusterOptions> options, IServiceProvider services)
{
    private readonly IConnectionMultiplexer? _redis = options.Value.Enabled ? services.GetRequiredService<IConnectionMultiplexer>() : null;
    private readonly RedisChannel _committed = RedisChannel.Literal($"{options.Value.ChannelPrefix}:committed");
    private readonly RedisChannel _keys = RedisChannel.Literal($"{options.Value.ChannelPrefix}:ingest-keys");
    private readonly RedisChannel _holds = RedisChannel.Literal($"{options.Value.ChannelPrefix}:holds");
    private readonly string _node = options.Value.NodeName;

    public void Committed(AggregationState state) => Publish(_committed, $"{state.Epoch}|{state.Checkpoint}");

    /// <summary>Calls <paramref name="onCommitted"/> for every notice from another node.</summary>
    public Task SubscribeAsync(Action onCommitted) => SubscribeAsync(_committed, onCommitted);

    /// <summary>Tells the other nodes that the ingest key table changed (a key was added, changed or revoked).</summary>
    public void IngestKeysChanged(long version) => Publish(_keys, version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Calls <paramref name="onChanged"/> for every key notice from another node.</summary>
    public Task SubscribeIngestKeysAsync(Action onChanged) => SubscribeAsync(_keys, onChanged);

    /// <summary>Tells the other nodes that a publication hold was taken or released.</summary>
    public void HoldsChanged() => Publish(_holds, "");

    /// <summary>Calls <paramref name="onChanged"/> for every hold notice from another node.</summary>
    public Task SubscribeHoldsAsync(Action onChanged) => SubscribeAsync(_holds, onChanged);

    private void Publish(RedisChannel channel, string payload)
    {
        if (_redis is null || !_redis.IsConnected) return;
        try
        {
            _redis.GetSubscriber().Publish(channel, $"{_node}|{payload}", CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Every node also polls; a notice is only a shortcut.
        }
    }

    private async Task SubscribeAsync(RedisChannel channel, Action onNotice)
    {
        if (_redis is null) return;
        var own = _node + "|";
        await _redis.GetSubscriber().SubscribeAsync(channel, (_, message) =>
        {
            if (!message.ToString().StartsWith(own, StringComparison.Ordinal)) onNotice();
        });
    }
}

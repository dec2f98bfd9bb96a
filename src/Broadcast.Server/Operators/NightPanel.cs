using System.Text.Json;
using Broadcast.Aggregation;
using Broadcast.Audit;
using Broadcast.Cluster;
using Broadcast.Health;
using Broadcast.Push;
using Broadcast.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Broadcast.Operators;

/// <summary>One node's figures: its viewers, and how far its totals are behind the stored log.</summary>
public sealed record NodeFigures(string Node, int Viewers, long Checkpoint, DateTimeOffset At);

/// <summary>Seconds from a form being stored to its numbers going out to viewers, over the last minute.</summary>
public sealed record LagFigures(int Runs, double? P50, double? P95, double? Max);

/// <summary>The console's live panel (<c>GET /api/v1/operator/status</c>).</summary>
public sealed record NightStatus(string Node, string Epoch, long LastSeq, long Checkpoint, long AggregationLag,
    double FormsPerSecond, LagFigures FormToScreen, IReadOnlyList<NodeFigures> Nodes, ChainCheck? Chain);

/// <summary>
/// The figures an operator watches on election night, sampled every second on every node:
/// forms stored per second (from the log's last seq, so every node's ingest counts), the
/// aggregation lag, viewers per node, and the form-to-screen lag. With several nodes each node
/// announces its own figures over Redis, best effort, so that any node's console shows them all.
/// </summary>
public sealed partial class NightPanel(FormStore store, TallyHolder holder, LocalConnections connections, BroadcastMetrics metrics,
    ChainStatus chain, IOptions<ClusterOptions> cluster, IServiceProvider services, TimeProvider clock, ILogger<NightPanel> logger)
    : BackgroundService
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10), NodeExpiry = TimeSpan.FromSeconds(10);

    private readonly Queue<(DateTimeOffset At, long Seq)> _samples = new();
    private readonly Dictionary<string, NodeFigures> _nodes = [];
    private readonly Lock _lock = new();
    private long _lastSeq;
    private IConnectionMultiplexer? _redis;
    private RedisChannel Channel => RedisChannel.Literal($"{cluster.Value.ChannelPrefix}:nodes");

    public NightStatus Status()
    {
        var state = holder.IsLoaded ? holder.Tally.State : new AggregationState(0, "");
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            var rate = _samples.Count >= 2 && _samples.Last().At - _samples.Peek().At is { TotalSeconds: > 0 } span
                ? (_samples.Last().Seq - _samples.Peek().Seq) / span.TotalSeconds : 0;
            _nodes[cluster.Value.NodeName] = Own(now);
            var nodes = _nodes.Values.Where(n => now - n.At < NodeExpiry).OrderBy(n => n.Node, StringComparer.Ordinal).ToList();
            return new NightStatus(cluster.Value.NodeName, state.Epoch, _lastSeq, state.Checkpoint, Math.Max(0, _lastSeq - state.Checkpoint),
                Math.Round(rate, 1), metrics.RecentFormToScreen(now), nodes,
                chain.Last is { } last ? new ChainCheck(last.Checked, last.FirstBreak, last.At) : null);
        }
    }

    private NodeFigures Own(DateTimeOffset now) =>
        new(cluster.Value.NodeName, connections.Count, holder.IsLoaded ? holder.Tally.State.Checkpoint : 0, now);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (cluster.Value.Enabled)
        {
            _redis = services.GetRequiredService<IConnectionMultiplexer>();
            await _redis.GetSubscriber().SubscribeAsync(Channel, (_, message) =>
            {
                if (JsonSerializer.Deserialize<NodeFigures>(message.ToString()) is { } figures)
                    lock (_lock) _nodes[figures.Node] = figures with { At = clock.GetUtcNow() };
            });
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await SampleAsync(); }
            catch (Exception e) when (e is System.Data.Common.DbException or RedisException)
            {
                LogSampleFailed(logger, e.Message);
            }
        }
    }

    private async Task SampleAsync()
    {
        var seq = await store.ReadLastSeqAsync();
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            _lastSeq = seq;
            _samples.Enqueue((now, seq));
            while (now - _samples.Peek().At > RateWindow) _samples.Dequeue();
        }
        if (_redis is { IsConnected: true })
            await _redis.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(Own(now)), CommandFlags.FireAndForget);
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Debug, Message = "The operator panel could not sample: {Reason}")]
    private static partial void LogSampleFailed(ILogger logger, string reason);
}

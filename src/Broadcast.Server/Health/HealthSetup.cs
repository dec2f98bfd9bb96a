using System.Text.Json;
using Broadcast.Aggregation;
using Broadcast.Cluster;
using Broadcast.OpenApi;
using Broadcast.Storage;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using StackExchange.Redis;

namespace Broadcast.Health;

/// <summary>
/// <c>/health/live</c>: the process answers (restart it if not). <c>/health/ready</c>: it can do
/// its work: the totals are loaded, the store answers, Redis answers (scale-out), and its
/// Hangfire server is registered and beating. A load balancer sends viewers only to ready nodes.
/// <c>/metrics</c>: <see cref="BroadcastMetrics"/> for Prometheus.
/// </summary>
public static class HealthSetup
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<BroadcastMetrics>();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(BroadcastMetrics.MeterName)
            .AddPrometheusExporter());
        var checks = builder.Services.AddHealthChecks()
            .AddCheck<TallyLoaded>("totals", tags: ["ready"])
            .AddCheck<StoreAnswers>("store", tags: ["ready"])
            .AddCheck<JobServerBeats>("hangfire", tags: ["ready"])
            .AddCheck<ChainIntact>("chain", tags: ["ready"]);
        if (builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() is { Enabled: true })
            checks.AddCheck<RedisAnswers>("redis", tags: ["ready"]);
        return builder;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => TypedResults.Text("live")).WithTags("Health")
            .WithSummary("Whether the process answers (restart it if not)").WithName("GetLive")
            .Answers<string>(StatusCodes.Status200OK, "`live`.", "text/plain");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteReport,
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>One line per check; descriptions are ours (exception messages could carry connection details).</summary>
    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }

    private static async Task<HealthCheckResult> Within(Func<CancellationToken, Task<HealthCheckResult>> check, string what, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            return await check(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || timeout.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{what} did not answer within {CheckTimeout.TotalSeconds:0} s ({e.GetType().Name})");
        }
    }

    private sealed class TallyLoaded(TallyHolder holder) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(holder.IsLoaded
                ? HealthCheckResult.Healthy($"epoch {holder.Tally.State.Epoch}, seq {holder.Tally.State.Checkpoint}")
                : HealthCheckResult.Unhealthy("the totals are still loading"));
    }

    /// <summary>The revision chain as last checked (start-up, rebuild, reconciliation): a break means the stored log was altered.</summary>
    private sealed class ChainIntact(Audit.ChainStatus chain) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(chain.Last switch
            {
                null => HealthCheckResult.Unhealthy("not checked yet"),
                { FirstBreak: { } seq } last => HealthCheckResult.Unhealthy(
                    $"broken at seq {seq}: a stored revision was altered, removed or inserted after it was written (checked {last.At:O})"),
                var last => HealthCheckResult.Healthy($"{last.Checked} revisions checked {last.At:O}"),
            });
    }

    private sealed class StoreAnswers(FormStore store, IOptions<StorageOptions> options) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Within(async _ =>
            {
                var state = await store.ReadAggregationStateAsync();
                return HealthCheckResult.Healthy($"{options.Value.Provider}: stored checkpoint {state.Checkpoint}");
            }, options.Value.Provider, cancellationToken);
    }

    private sealed class RedisAnswers(IConnectionMultiplexer redis) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Within(async _ =>
            {
                if (!redis.IsConnected) return HealthCheckResult.Unhealthy("not connected to Redis (the backplane): deltas do not reach viewers of other nodes");
                var ping = await redis.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy($"ping {ping.TotalMilliseconds:0.0} ms");
            }, "Redis", cancellationToken);
    }

    private sealed class JobServerBeats(JobStorage storage, IOptions<ClusterOptions> cluster) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Within(_ => Task.Run(() =>
            {
                var name = cluster.Value.NodeName.ToLowerInvariant() + ":";
                // A node restarted after a crash finds its previous server record until Hangfire
                // times it out: the newest heartbeat under this node's name is this process's.
                var mine = storage.GetMonitoringApi().Servers()
                    .Where(s => s.Name.StartsWith(name, StringComparison.OrdinalIgnoreCase))
                    .MaxBy(s => s.Heartbeat ?? DateTime.MinValue);
                if (mine?.Heartbeat is not { } beat) return HealthCheckResult.Unhealthy("this node's Hangfire server is not registered yet");
                var age = DateTime.UtcNow - beat;
                return age < TimeSpan.FromMinutes(1)
                    ? HealthCheckResult.Healthy($"job server beating, last {age.TotalSeconds:0} s ago")
                    : HealthCheckResult.Unhealthy($"job server's last heartbeat was {age.TotalSeconds:0} s ago");
            }), "Hangfire's job storage", cancellationToken);
    }
}

using Broadcast.Cluster;
using Broadcast.Ingest;
using Broadcast.Results;
using Broadcast.Storage;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Options;

namespace Broadcast.Aggregation;

public static class AggregationSetup
{
    public static IHostApplicationBuilder AddAggregation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHangfire((services, config) =>
        {
            // Through IOptions: a wrong storage setting fails here with its validation message,
            // not with whatever Npgsql says about a connection string it cannot parse.
            var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (storage.IsPostgres)
            {
                // Scale-out: jobs live next to the forms, in PostgreSQL, so any node's worker can
                // run a job any node queued, and Redis stays off the write path (docs/deploying.md).
                // Long polling: workers wait on LISTEN/NOTIFY, so a queued run starts in
                // milliseconds instead of at the next poll of the queue.
                InstallHangfireSchema(storage.PostgresConnectionString!);
                config.UsePostgreSqlStorage(postgres => postgres.UseNpgsqlConnection(storage.PostgresConnectionString),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = HangfireSchema,
                        PrepareSchemaIfNecessary = false,
                        EnableLongPolling = true,
                        QueuePollInterval = TimeSpan.FromSeconds(5),
                        // A node killed mid-run gives its job back within this time (its
                        // heartbeat stops); the watchdog has queued a new one long before.
                        UseSlidingInvisibilityTimeout = true,
                        InvisibilityTimeout = TimeSpan.FromMinutes(1),
                        JobExpirationCheckInterval = TimeSpan.FromMinutes(5),
                    });
            }
            else
            {
                // Every aggregation run is a job; finished ones are kept 10 minutes, not the default
                // hours, so a busy election night does not fill memory with job history.
                config.UseInMemoryStorage(new Hangfire.InMemory.InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromMinutes(10) });
            }
        });
        builder.Services.AddHangfireServer((services, options) =>
        {
            options.ServerName = services.GetRequiredService<IOptions<ClusterOptions>>().Value.NodeName;
            options.Queues = [AggregationTrigger.Queue, "default"];
            // One run at a time per node is all that is useful: a second worker would only wait on the run lock.
            options.WorkerCount = 1;
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<AggregationOptions>().BindConfiguration(AggregationOptions.Section)
            .Validate(o => o.MinRunInterval >= TimeSpan.Zero && o.MinRunInterval <= TimeSpan.FromSeconds(10),
                "Aggregation:MinRunInterval must be between 00:00:00 and 00:00:10")
            .ValidateOnStart();
        builder.Services.AddSingleton<TallyHolder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TallyHolder>());
        builder.Services.AddSingleton<Aggregator>();
        builder.Services.AddSingleton<AggregationTrigger>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AggregationTrigger>());
        builder.Services.AddTransient<AggregationJob>();
        builder.Services.AddHostedService<AggregationWatchdog>();
        builder.Services.AddSingleton<ResultsView>();
        return builder;
    }

    private const string HangfireSchema = "hangfire";

    /// <summary>
    /// Creates or upgrades Hangfire's tables, one node at a time: nodes starting together would
    /// otherwise race on CREATE SCHEMA (Hangfire's own install is not safe to run concurrently).
    /// </summary>
    private static void InstallHangfireSchema(string connectionString)
    {
        const long installLock = 0x4272_6F61_6448_4621; // any constant, shared by every node
        using var connection = new Npgsql.NpgsqlConnection(connectionString);
        connection.Open();
        using (var take = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({installLock})", connection)) take.ExecuteNonQuery();
        try
        {
            PostgreSqlObjectsInstaller.Install(connection, HangfireSchema);
        }
        finally
        {
            using var release = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({installLock})", connection);
            release.ExecuteNonQuery();
        }
    }

    /// <summary>Operator endpoints: rebuild, reconcile, the job dashboard. All need the operator key.</summary>
    public static IEndpointRouteBuilder MapOperatorApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/operator").WithTags("Operator")
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.RequestServices.GetRequiredService<OperatorKey>().Allows(context.HttpContext.Request.Headers.Authorization)
                    ? await next(context)
                    : Problems.OperatorOnly());
        api.MapPost("/rebuild", async (Aggregator aggregator, CancellationToken ct) => TypedResults.Ok(await aggregator.RebuildAsync(ct)));
        api.MapPost("/reconcile", async (Aggregator aggregator, CancellationToken ct) => TypedResults.Ok(await aggregator.ReconcileAsync(ct)));
        api.MapPost("/aggregate", async (Aggregator aggregator, CancellationToken ct) => TypedResults.Ok(await aggregator.RunAsync(ct)));
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new OperatorDashboardAuthorization()],
            IsReadOnlyFunc = context => !context.GetHttpContext().RequestServices.GetRequiredService<OperatorKey>()
                .Allows(context.GetHttpContext().Request.Headers.Authorization),
        });
        return app;
    }

    /// <summary>
    /// The dashboard opens, read-only, for requests from this machine (an operator's SSH tunnel);
    /// anything else needs the operator key. Behind a reverse proxy on the same host, do not
    /// route /hangfire (see infra/).
    /// </summary>
    private sealed class OperatorDashboardAuthorization : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var http = context.GetHttpContext();
            var remote = http.Connection.RemoteIpAddress;
            return (remote is not null && System.Net.IPAddress.IsLoopback(remote))
                || http.RequestServices.GetRequiredService<OperatorKey>().Allows(http.Request.Headers.Authorization);
        }
    }
}

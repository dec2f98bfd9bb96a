using Broadcast.Cluster;
using Broadcast.Results;
using Broadcast.Storage;
using Hangfire;
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
        builder.Services.AddSingleton<Audit.ChainStatus>();
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
}

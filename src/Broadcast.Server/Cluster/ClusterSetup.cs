using Broadcast.Storage;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Broadcast.Cluster;

public static partial class ClusterSetup
{
    public static IHostApplicationBuilder AddCluster(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section)
            .Validate<IOptions<StorageOptions>>((o, storage) => !o.Enabled || storage.Value.IsPostgres,
                "Cluster:Redis is set, so this node is one of several: they must share PostgreSQL. Set Storage:Provider=postgres " +
                "and Storage:PostgresConnectionString (environment Storage__Provider, Storage__PostgresConnectionString), " +
                "or remove Cluster:Redis to run one node alone")
            .Validate(o => !o.Enabled || o.RedisParses(),
                "Cluster:Redis is not a valid StackExchange.Redis configuration (expected 'host:port' with optional ',password=...')")
            .Validate(o => o.ChannelPrefixIsSimple(), "Cluster:ChannelPrefix must be 1 to 64 letters, digits, '-', '_' or '.'")
            .Validate(o => !string.IsNullOrWhiteSpace(o.NodeName), "Cluster:NodeName must not be empty")
            .Validate(o => o.FollowInterval >= TimeSpan.FromMilliseconds(50) && o.FollowInterval <= TimeSpan.FromMinutes(1),
                "Cluster:FollowInterval must be between 00:00:00.05 and 00:01:00")
            .ValidateOnStart();
        builder.Services.AddSingleton<ClusterNotices>();
        builder.Services.AddSingleton<TallyFollower>();

        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        // Any node on PostgreSQL may share it with others, so it follows their runs (a cheap poll
        // when alone). On SQLite there is one process: nothing to follow.
        if (storage.IsPostgres) builder.Services.AddHostedService(sp => sp.GetRequiredService<TallyFollower>());

        var cluster = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        if (!cluster.Enabled) return builder;

        // One multiplexer per node, shared by the backplane and the notices. It keeps trying to
        // (re)connect in the background: a node starts, and ingest works, while Redis is down.
        builder.Services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClusterOptions>>().Value;
            var configuration = ConfigurationOptions.Parse(options.Redis!);
            configuration.AbortOnConnectFail = false;
            configuration.ClientName = options.NodeName;
            var redis = ConnectionMultiplexer.Connect(configuration);
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClusterSetup));
            // Endpoints only: the configuration string may hold a password.
            LogRedis(logger, string.Join(", ", configuration.EndPoints), options.ChannelPrefix, redis.IsConnected);
            redis.ConnectionFailed += (_, e) => LogRedisLost(logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString());
            redis.ConnectionRestored += (_, e) => LogRedisBack(logger, e.EndPoint?.ToString() ?? "?");
            return redis;
        });
        builder.Services.AddSignalR().AddStackExchangeRedis();
        builder.Services.AddOptions<RedisOptions>().Configure<IServiceProvider>((redis, services) =>
        {
            redis.Configuration.ChannelPrefix = RedisChannel.Literal(cluster.ChannelPrefix);
            redis.ConnectionFactory = _ => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>());
        });
        return builder;
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Scale-out: Redis backplane at {Endpoints}, channel prefix {Prefix}, connected: {Connected}")]
    private static partial void LogRedis(ILogger logger, string endpoints, string prefix, bool connected);

    [LoggerMessage(EventId = 711, Level = LogLevel.Warning, Message = "Lost Redis at {Endpoint} ({Failure}); ingest and aggregation go on, viewers catch up when it is back")]
    private static partial void LogRedisLost(ILogger logger, string endpoint, string failure);

    [LoggerMessage(EventId = 712, Level = LogLevel.Information, Message = "Redis at {Endpoint} is back")]
    private static partial void LogRedisBack(ILogger logger, string endpoint);
}

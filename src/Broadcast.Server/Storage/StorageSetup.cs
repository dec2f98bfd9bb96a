using Microsoft.Extensions.Options;
using Npgsql;

namespace Broadcast.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (the embedded default, one node) or <c>postgres</c> (scale-out, shared by every node).</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>The SQLite file of the embedded default; created if missing.</summary>
    public string SqlitePath { get; set; } = "broadcast.db";

    /// <summary>An Npgsql connection string; required with <c>Provider = postgres</c>. Holds a password: never logged.</summary>
    public string? PostgresConnectionString { get; set; }

    internal bool IsPostgres => string.Equals(Provider, Postgres, StringComparison.OrdinalIgnoreCase);

    internal bool IsSqlite => string.Equals(Provider, Sqlite, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the connection string parses; the parser's message could echo a secret, so only yes or no.</summary>
    internal bool PostgresConnectionStringParses()
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(PostgresConnectionString);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

public static partial class StorageSetup
{
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => o.IsSqlite || o.IsPostgres, "Storage:Provider must be 'sqlite' (the default) or 'postgres'")
            .Validate(o => !o.IsSqlite || !string.IsNullOrWhiteSpace(o.SqlitePath), "Storage:SqlitePath must name the SQLite file to use")
            .Validate(o => !o.IsSqlite || Path.GetDirectoryName(Path.GetFullPath(o.SqlitePath)) is { } dir && Directory.Exists(dir),
                "Storage:SqlitePath points into a folder that does not exist")
            .Validate(o => !o.IsPostgres || !string.IsNullOrWhiteSpace(o.PostgresConnectionString),
                "Storage:Provider is 'postgres': set Storage:PostgresConnectionString (environment Storage__PostgresConnectionString) " +
                "to an Npgsql connection string such as 'Host=db;Port=5432;Username=broadcast;Password=...;Database=broadcast'")
            .Validate(o => !o.IsPostgres || string.IsNullOrWhiteSpace(o.PostgresConnectionString) || o.PostgresConnectionStringParses(),
                "Storage:PostgresConnectionString is not a valid Npgsql connection string (expected Key=Value pairs separated by ';', " +
                "such as 'Host=db;Port=5432;Username=broadcast;Password=...;Database=broadcast')")
            .ValidateOnStart();
        builder.Services.AddSingleton<FormStore>(sp =>
        {
            var store = Open(sp.GetRequiredService<IOptions<StorageOptions>>().Value,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FormStore)));
            var rehearsal = sp.GetRequiredService<IOptions<Rehearsal.RehearsalOptions>>().Value.Enabled;
            var purpose = rehearsal ? Purpose.Rehearsal : Purpose.Live;
            var stored = store.ClaimPurposeAsync(purpose).GetAwaiter().GetResult();
            if (stored != purpose)
                throw new InvalidOperationException(rehearsal
                    ? "This database holds a live count: a rehearsal must not touch it. Give the rehearsal a database of its own " +
                      "(Rehearsal:SqlitePath, or Rehearsal:PostgresConnectionString on several nodes)."
                    : "This database holds a rehearsal (a rehearsal server created it): a live server does not count it. Point " +
                      "Storage:SqlitePath or Storage:PostgresConnectionString at the live database, or start this server with --rehearsal.");
            return store;
        });
        return builder;
    }

    /// <summary>What a database holds (<see cref="FormStore.ClaimPurposeAsync"/>).</summary>
    public static class Purpose
    {
        public const string Live = "live";
        public const string Rehearsal = "rehearsal";
    }

    private static FormStore Open(StorageOptions options, ILogger logger)
    {
        if (!options.IsPostgres)
        {
            LogSqlite(logger, Path.GetFullPath(options.SqlitePath));
            return new SqliteStore(options.SqlitePath);
        }
        var target = new NpgsqlConnectionStringBuilder(options.PostgresConnectionString);
        LogPostgres(logger, target.Host, target.Port, target.Database);
        return new PostgresStore(options.PostgresConnectionString!);
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Storing forms in SQLite at {Path}")]
    private static partial void LogSqlite(ILogger logger, string path);

    // Host, port and database only: the connection string may carry a password.
    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "Storing forms in PostgreSQL at {Host}:{Port}, database {Database}")]
    private static partial void LogPostgres(ILogger logger, string? host, int port, string? database);
}

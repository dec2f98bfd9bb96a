using Microsoft.Extensions.Options;
using Npgsql;

namespace Broadcast.Rehearsal;

public sealed class RehearsalOptions
{
    public const string Section = "Rehearsal";

    /// <summary>This server plays a rehearsal (<c>--rehearsal</c>; demo mode is one): it never touches the live count.</summary>
    public bool Enabled { get; set; }

    /// <summary>The rehearsal's own SQLite file, used instead of <c>Storage:SqlitePath</c>.</summary>
    public string SqlitePath { get; set; } = "broadcast-rehearsal.db";

    /// <summary>The rehearsal's own PostgreSQL database (several nodes); never the live one. Holds a password: never logged.</summary>
    public string? PostgresConnectionString { get; set; }
}

/// <summary>
/// Rehearsals never touch the real count. A rehearsal server (<c>--rehearsal</c>, or demo mode)
/// stores into its own database (<see cref="RehearsalOptions.SqlitePath"/>, or its own
/// PostgreSQL), talks on its own Redis channels, marks its store as a rehearsal (a live server
/// refuses to open it, and it refuses a live store), and every screen shows the REHEARSAL /
/// LATIHAN notice. Operators clear it with <c>POST /api/v1/operator/rehearsal/reset</c>.
/// </summary>
public static class RehearsalSetup
{
    public const string Flag = "--rehearsal";
    public const string Notice = "REHEARSAL · LATIHAN: not election results / bukan hasil pemilu";

    public static string[] TakeFlag(string[] args, out bool rehearsal)
    {
        rehearsal = args.Contains(Flag);
        return args.Where(a => a != Flag).ToArray();
    }

    /// <summary>
    /// Runs before storage and cluster are set up: a rehearsal swaps, in the configuration they
    /// read, the store for its own and the Redis channel prefix for one of its own.
    /// </summary>
    public static IHostApplicationBuilder AddRehearsal(this IHostApplicationBuilder builder, bool flag)
    {
        var config = builder.Configuration;
        if (flag || config.GetValue<bool>("Demo:Enabled")) config["Rehearsal:Enabled"] = "true";
        var options = config.GetSection(RehearsalOptions.Section).Get<RehearsalOptions>() ?? new RehearsalOptions();
        var liveSqlite = config["Storage:SqlitePath"] ?? "broadcast.db";
        var livePostgres = config["Storage:PostgresConnectionString"];
        var cluster = !string.IsNullOrWhiteSpace(config["Cluster:Redis"]);
        builder.Services.AddOptions<RehearsalOptions>().BindConfiguration(RehearsalOptions.Section)
            .Validate(o => !o.Enabled || !string.IsNullOrWhiteSpace(o.SqlitePath), "Rehearsal:SqlitePath must name the rehearsal's SQLite file")
            .Validate(o => !o.Enabled || !SameFile(o.SqlitePath, liveSqlite),
                $"Rehearsal:SqlitePath is the live database ({liveSqlite}): a rehearsal needs a file of its own")
            .Validate(o => !o.Enabled || !cluster || !string.IsNullOrWhiteSpace(o.PostgresConnectionString),
                "Cluster:Redis is set: a rehearsal on several nodes needs a PostgreSQL database of its own in Rehearsal:PostgresConnectionString")
            .Validate(o => !o.Enabled || string.IsNullOrWhiteSpace(o.PostgresConnectionString) || !SameDatabase(o.PostgresConnectionString, livePostgres),
                "Rehearsal:PostgresConnectionString names the live database (same host, port and database as Storage:PostgresConnectionString): " +
                "give the rehearsal a database of its own")
            .ValidateOnStart();
        if (!options.Enabled) return builder;

        config["Storage:SqlitePath"] = options.SqlitePath;
        if (!string.IsNullOrWhiteSpace(options.PostgresConnectionString))
            config["Storage:PostgresConnectionString"] = options.PostgresConnectionString;
        else
            config["Storage:Provider"] = "sqlite"; // never the live PostgreSQL
        config["Cluster:ChannelPrefix"] = (config["Cluster:ChannelPrefix"] ?? "broadcast") + "-rehearsal";
        if (string.IsNullOrEmpty(config["Election:Notice"])) config["Election:Notice"] = Notice;
        return builder;
    }

    private static bool SameFile(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);

    private static bool SameDatabase(string rehearsal, string? live)
    {
        if (string.IsNullOrWhiteSpace(live)) return false;
        try
        {
            var (r, l) = (new NpgsqlConnectionStringBuilder(rehearsal), new NpgsqlConnectionStringBuilder(live));
            return string.Equals(r.Host, l.Host, StringComparison.OrdinalIgnoreCase) && r.Port == l.Port
                && string.Equals(r.Database ?? r.Username, l.Database ?? l.Username, StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false; // the storage validation says which string does not parse
        }
    }
}

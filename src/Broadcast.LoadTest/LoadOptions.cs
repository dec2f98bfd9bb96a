using System.Globalization;
using System.Net;

namespace Broadcast.LoadTest;

/// <summary>Command-line options of both roles. Hand-written parsing, as in Broadcast.Replay.</summary>
public sealed record LoadOptions
{
    public const int MaxBatch = 5000; // the server's limit for POST /api/v1/forms:batch

    public string Role { get; init; } = "coordinator";
    public Uri[] Servers { get; init; } = [new("http://127.0.0.1:5000")];
    public int Connections { get; init; } = 1000;
    public int PerProcess { get; init; } = 15_000;
    public IPAddress[] Bind { get; init; } = [];
    public AudienceMix Mix { get; init; } = AudienceMix.Default;
    public double FormsPerSecond { get; init; }
    public int Batch { get; init; } = 100;
    public int MaxInFlight { get; init; } = 64;
    public string? Key { get; init; } = Environment.GetEnvironmentVariable("BROADCAST_INGEST_KEY");
    public string? DataPath { get; init; }
    public int Seed { get; init; } = 2019;
    public int Skip { get; init; }
    public TimeSpan? Duration { get; init; }
    public TimeSpan Ramp { get; init; } = TimeSpan.FromSeconds(20);
    public int Probes { get; init; } = 50;
    /// <summary>Viewers per audience and process that decode and apply every frame, compared with the read API at the end.</summary>
    public int Verify { get; init; } = 5;
    public int[] ServerPids { get; init; } = [];

    /// <summary>The polling baseline: viewers GET their snapshot every this often instead of subscribing.</summary>
    public TimeSpan? Poll { get; init; }
    /// <summary>Polls as 2019's sites did: no compression, no ETag (default: Accept-Encoding br, gzip and If-None-Match).</summary>
    public bool PollPlain { get; init; }
    /// <summary>Every audience subscribes with the legacy Subscribe, whatever its view (the "before" runs).</summary>
    public bool Legacy { get; init; }
    /// <summary>Against bench/bare-signalr: a frame's version is the sender's timestamp, so each frame times itself.</summary>
    public bool Bare { get; init; }
    /// <summary>A caching proxy's access log (scripts/load-cdn.sh): origin requests are its lines that were not cache hits.</summary>
    public string? OriginLog { get; init; }
    /// <summary>Frame-size tool: rounds of forms, one update per group per round.</summary>
    public int Rounds { get; init; } = 5;
    /// <summary>Where the ingest posts, round-robin per request; empty: the --server list.</summary>
    public Uri[] IngestServers { get; init; } = [];
    /// <summary>Whose /metrics to scrape; empty: the --server list (one node listening on several addresses: name it once).</summary>
    public Uri[] MetricsServers { get; init; } = [];
    public bool Metrics { get; init; } = true;
    public string? JsonPath { get; init; }
    public bool Help { get; init; }

    // Set by the coordinator for its children only.
    public long StartAt { get; init; }
    public int Index { get; init; }

    public const string Usage = """
        Broadcast.LoadTest - viewers on the SignalR hub (MessagePack) and an open-loop ingest driver.

        Usage: Broadcast.LoadTest --duration 60s [options]

          --server <url,url..>     server addresses; viewers are spread over them (default http://127.0.0.1:5000)
          --connections <n>        viewers in total (default 1000)
          --per-process <n>        viewers per generator process (default 15000; a process may open 20,000 files)
          --bind <ip,ip..>         source addresses, one per generator process in turn (e.g. 127.0.1.1,127.0.1.2)
          --mix <audience,..>      the audiences: name:level:weight:view[:maxPerSecond][:read=KB/s][:poll=t]
                                   level national|province|regency (the group: the nation, a random province or
                                   regency), view legacy (Subscribe: TotalsChanged) | full (SubscribeWith: Delta) |
                                   headline (SubscribeWith: Headline), maxPerSecond the frame cap (none: every run),
                                   read=KB/s a throttled reader (a slow viewer), poll=t its interval with --poll.
                                   e.g. ticker:national:60:headline:1,province:province:30:full,regency:regency:10:full
                                   (default national=0.6,province=0.3,regency=0.1: three legacy audiences)
          --legacy                 every audience subscribes with Subscribe, whatever its view (the "before" runs)
          --forms-per-second <n>   ingest rate, open loop (default 0: no ingest)
          --batch <n>              forms per POST /api/v1/forms:batch (default 100)
          --max-in-flight <n>      requests outstanding at most; a request due beyond it is skipped (default 64)
          --key <secret>           ingest key (default: env BROADCAST_INGEST_KEY)
          --data <path>            tps.csv.gz (default: shared/data/pilpres2019/tps.csv.gz above the current directory)
          --seed <n>, --skip <n>   station order: shuffled with the seed, the first n skipped (fresh stations for a reused database)
          --duration <t>           the measured window, ingest running (required; 60s, 2m)
          --ramp <t>               time to connect the viewers, before the window (default 20s)
          --probes <n>             viewers per audience and process whose frame arrivals time form -> screen (default 50)
          --verify <n>             viewers per audience and process that decode every frame (snapshot, TotalsChanged,
                                   Delta merged field by field, Headline) and apply it; at the end each is compared
                                   with the read API's snapshot of its group (default 5)
          --ingest-server <url,..> where the ingest posts, round-robin request by request (default: the --server list)
          --server-pid <pid,pid..> read the servers' CPU time and RSS from /proc; several pids (one per node) are
                                   reported summed and per node
          --metrics-server <url,..> whose GET /metrics to scrape (default: the --server list; name a node once)
          --no-metrics             do not scrape GET /metrics of each --server at window start and after the drain
          --json <file>            also write the report as JSON
          --poll <t>               the polling baseline: each viewer GETs its group's snapshot every t (e.g. 2s; an
                                   audience's poll= overrides) instead of subscribing, with Accept-Encoding: br, gzip
                                   and If-None-Match; reports origin requests/s, bytes/s (as received) and staleness
          --poll-plain             poll as 2019's sites did: no compression, no ETag
          --origin-log <file>      the pollers go through a caching proxy (--server is the proxy): count the origin
                                   requests as the lines of its access log (scripts/load-cdn.sh) that are not HITs
          --bare                   against bench/bare-signalr: every frame's version is the hub's send timestamp,
                                   so every frame received times the fan-out (send -> received), per audience
          --frame-sizes            the frame-size tool: subscribes each kind (Subscribe, SubscribeWith full and
                                   headline) to a nation, province, regency and village group over MessagePack and
                                   JSON, posts --rounds rounds of --batch real forms (default 400, one run at 2,000
                                   forms/s) touching that village, and prints the size of each update as received
          --rounds <n>             rounds for --frame-sizes (default 5)
          --self-test              check the generator's own parsing and decoding, then exit
          -h, --help               this text
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a user-facing message.</summary>
    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{flag} needs a value");
            o = flag switch
            {
                "--role" => o with { Role = Value() is var r && r is "coordinator" or "viewers" or "frames" or "self-test" ? r : throw new ArgumentException("--role: coordinator, viewers, frames or self-test") },
                "--server" => o with { Servers = List(Value(), ParseUri) },
                "--connections" => o with { Connections = Int(flag, Value(), 0, 1_000_000) },
                "--per-process" => o with { PerProcess = Int(flag, Value(), 1, 19_000) },
                "--bind" => o with { Bind = List(Value(), s => IPAddress.TryParse(s, out var a) ? a : throw new ArgumentException($"--bind: not an address: {s}")) },
                "--mix" => o with { Mix = AudienceMix.Parse(Value()) },
                "--legacy" => o with { Legacy = true },
                "--poll-plain" => o with { PollPlain = true },
                "--bare" => o with { Bare = true },
                "--origin-log" => o with { OriginLog = Value() },
                "--frame-sizes" => o with { Role = "frames" },
                "--self-test" => o with { Role = "self-test" },
                "--rounds" => o with { Rounds = Int(flag, Value(), 1, 1000) },
                "--forms-per-second" => o with { FormsPerSecond = Number(flag, Value()) },
                "--batch" => o with { Batch = Int(flag, Value(), 1, MaxBatch) },
                "--max-in-flight" => o with { MaxInFlight = Int(flag, Value(), 1, 4096) },
                "--key" => o with { Key = Value() },
                "--data" => o with { DataPath = Value() },
                "--seed" => o with { Seed = Int(flag, Value(), 0, int.MaxValue) },
                "--skip" => o with { Skip = Int(flag, Value(), 0, int.MaxValue) },
                "--duration" => o with { Duration = ParseDuration(flag, Value()) },
                "--poll" => o with { Poll = ParseDuration(flag, Value()) },
                "--ramp" => o with { Ramp = ParseDuration(flag, Value()) },
                "--probes" => o with { Probes = Int(flag, Value(), 0, 100_000) },
                "--verify" => o with { Verify = Int(flag, Value(), 0, 1000) },
                "--server-pid" => o with { ServerPids = List(Value(), p => Int(flag, p, 1, int.MaxValue)) },
                "--ingest-server" => o with { IngestServers = List(Value(), ParseUri) },
                "--metrics-server" => o with { MetricsServers = List(Value(), ParseUri) },
                "--no-metrics" => o with { Metrics = false },
                "--json" => o with { JsonPath = Value() },
                "--start-at" => o with { StartAt = long.Parse(Value(), CultureInfo.InvariantCulture) },
                "--index" => o with { Index = Int(flag, Value(), 0, 10_000) },
                "-h" or "--help" => o with { Help = true },
                _ => throw new ArgumentException($"unknown option {flag} (see --help)"),
            };
        }
        if (!o.Help && o.Duration is null && o.Role is "coordinator" or "viewers")
            throw new ArgumentException("--duration is required (e.g. --duration 60s)");
        if (o.Legacy) o = o with { Mix = o.Mix.AsLegacy() };
        return o;
    }

    /// <summary>The arguments of the child that holds <paramref name="connections"/> viewers.</summary>
    public string[] ChildArgs(int index, int connections, long startAt)
    {
        var args = new List<string>
        {
            "--role", "viewers", "--index", Inv(index), "--connections", Inv(connections),
            "--server", string.Join(',', Servers.Select(s => s.ToString())), "--mix", Mix.ToString(),
            "--duration", Inv((long)Duration!.Value.TotalMilliseconds) + "ms", "--ramp", Inv((long)Ramp.TotalMilliseconds) + "ms",
            "--probes", Inv(Probes), "--verify", Inv(Verify), "--seed", Inv(Seed + index), "--start-at", Inv(startAt),
        };
        if (Poll is { } poll) args.AddRange(["--poll", Inv((long)poll.TotalMilliseconds) + "ms"]);
        if (PollPlain) args.Add("--poll-plain");
        if (Bare) args.Add("--bare");
        if (Bind.Length > 0)
            args.AddRange(["--bind", Bind[index % Bind.Length].ToString()]);
        return [.. args];
    }

    /// <summary>The tps.csv.gz to read: --data, else the first match walking up from the current and the exe directory.</summary>
    public string ResolveDataPath()
    {
        if (DataPath is not null)
            return File.Exists(DataPath) ? Path.GetFullPath(DataPath) : throw new FileNotFoundException($"no such file: {DataPath}");
        var relative = Path.Combine("shared", "data", "pilpres2019", "tps.csv.gz");
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (Path.Combine(dir.FullName, relative) is var candidate && File.Exists(candidate))
                    return candidate;
        throw new FileNotFoundException($"{relative} not found above the current or the exe directory; use --data");
    }

    private static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static T[] List<T>(string s, Func<string, T> parse) =>
        s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray() is { Length: > 0 } a
            ? a
            : throw new ArgumentException($"empty list: '{s}'");

    private static Uri ParseUri(string s) =>
        Uri.TryCreate(s, UriKind.Absolute, out var uri) && uri.Scheme is "http"
            ? uri
            : throw new ArgumentException($"--server: not an http URL: {s}");

    private static int Int(string flag, string s, int min, int max) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new ArgumentException($"{flag}: expected a whole number from {min} to {max}, got '{s}'");

    private static double Number(string flag, string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && double.IsFinite(v)
            ? v
            : throw new ArgumentException($"{flag}: expected a number >= 0, got '{s}'");

    /// <summary>"60s", "2m", "500ms" or plain seconds.</summary>
    public static TimeSpan ParseDuration(string flag, string s)
    {
        var (digits, unit) = s.EndsWith("ms", StringComparison.Ordinal) ? (s[..^2], 0.001)
            : s.EndsWith('s') ? (s[..^1], 1.0)
            : s.EndsWith('m') ? (s[..^1], 60.0)
            : (s, 1.0);
        return double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0 && double.IsFinite(v)
            ? TimeSpan.FromSeconds(v * unit)
            : throw new ArgumentException($"{flag}: expected a duration such as 60s, 2m or 500ms, got '{s}'");
    }
}

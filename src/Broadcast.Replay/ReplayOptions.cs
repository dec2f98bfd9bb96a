using System.Globalization;

namespace Broadcast.Replay;

/// <summary>Command-line options. Parsing is hand-written: a dozen flags do not justify a package.</summary>
public sealed record ReplayOptions
{
    public const int MaxBatch = 5000; // the server's limit for POST /api/v1/forms:batch

    public Uri Server { get; init; } = new("http://127.0.0.1:5000");
    public string? Key { get; init; } = Environment.GetEnvironmentVariable("BROADCAST_INGEST_KEY");
    /// <summary>Sign every request as this key (with <see cref="Key"/> as its secret) instead of sending the secret as a bearer.</summary>
    public string? KeyId { get; init; }
    public string? DataPath { get; init; }
    /// <summary>Election-night clock speed-up; null = as fast as possible.</summary>
    public double? Speed { get; init; }
    /// <summary>Rehearsal: send at this many forms per second, in arrival order (a steady load); null = by --speed or as fast as possible.</summary>
    public double? Rate { get; init; }
    public int Batch { get; init; } = 1000;
    public int Concurrency { get; init; } = 4;
    public string? Province { get; init; }
    public int? Limit { get; init; }
    public bool Corrections { get; init; } = true;
    public string? JsonPath { get; init; }
    public bool DryRun { get; init; }
    public bool Help { get; init; }

    /// <summary>Replay the SYNTHETIC 2024 legislative night (Broadcast.Elections.Rehearsal) instead of the 2019 one.</summary>
    public bool Rehearsal { get; init; }
    /// <summary>Rehearsal: the contests to send; null = all four.</summary>
    public IReadOnlyList<string>? Contests { get; init; }
    /// <summary>Rehearsal: the generator's seed; null = its default (2024).</summary>
    public ulong? Seed { get; init; }

    public static readonly string[] RehearsalContests = ["dpr", "dpd", "dprd_prov", "dprd_kab"];

    public const string Usage = """
        Broadcast.Replay - replays an election night through the Broadcast ingest API: the real 2019
        presidential night, or with --rehearsal a SYNTHETIC 2024 legislative night.

        Usage: Broadcast.Replay [options]

          --server <url>        server base address (default http://127.0.0.1:5000)
          --key <secret>        ingest key (default: env BROADCAST_INGEST_KEY)
          --key-id <id>         sign every request as this key id with the --key secret
                                (docs/api.md, "Signed requests") instead of sending it as a bearer
          --data <path>         2019: tps.csv.gz (default: search upward from the current and the exe
                                directory for shared/data/pilpres2019/tps.csv.gz); --rehearsal: the
                                election folder (default: data/pemilu2024 next to the tool)
          --speed <N>           timed replay: the election-night clock runs N times faster
                                (3600 = one hour per second)
          --max                 as fast as possible (default)
          --rate <n>            --rehearsal: a steady n forms per second, in arrival order
          --batch <n>           forms per POST /api/v1/forms:batch (default 1000, max 5000);
                                1 uses single POST /api/v1/forms
          --concurrency <n>     parallel requests (default 4)
          --province <id>       only stations under this region id (2019: 1 = ACEH; 2024: 11 = ACEH,
                                any region code, e.g. 1101)
          --limit <n>           stop after n forms
          --no-corrections      do not send the volunteer (KawalPemilu) corrections (2019)
          --json <file>         also write the summary as JSON
          --dry-run             read, order and count the forms; send nothing. With --rehearsal also
                                make and serialise every planned form, and time it
          -h, --help            this text

        Rehearsal (a SYNTHETIC night: made-up per-station forms whose DPR votes add up to the
        official 2024 figures per dapil and party; see docs/rehearsal.md). The server must run the
        2024 election (Election__Name=pemilu2024):

          --rehearsal           send the generated 2024 legislative night
          --contests <list>     comma-separated, of dpr,dpd,dprd_prov,dprd_kab (default all four)
          --seed <n>            the generator's seed (default 2024): the same seed, the same night

        The summary counts each form's outcome: counted, quarantined (stored, held out of the totals
        by a rule: R1-R4, P1), duplicate, rejected (refused as bad by the server with 422, not stored;
        each named with the server's reason) and failed.

        Exit code: 0 when every form was answered, including rejected and quarantined ones (bad
        forms are the data's: the real 2019 night has one rejected typo form and thousands of
        quarantined ones); 1 when something unexpected happened: forms failed (no usable answer
        after retries: transport errors, timeouts, 5xx, 429; or an HTTP status other than 2xx
        and a 422 naming the bad forms) or the replay aborted (ingest key refused, Ctrl-C);
        2 for bad options or missing data.
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a user-facing message.</summary>
    public static ReplayOptions Parse(string[] args)
    {
        var o = new ReplayOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{flag} needs a value");
            o = flag switch
            {
                "--server" => o with { Server = ParseUri(Value()) },
                "--key" => o with { Key = Value() },
                "--key-id" => o with { KeyId = Value() },
                "--data" => o with { DataPath = Value() },
                "--speed" => o with { Speed = ParsePositive(flag, Value()) },
                "--rate" => o with { Rate = ParsePositive(flag, Value()) },
                "--max" => o with { Speed = null },
                "--batch" => o with { Batch = (int)ParseInt(flag, Value(), 1, MaxBatch) },
                "--concurrency" => o with { Concurrency = (int)ParseInt(flag, Value(), 1, 256) },
                "--province" => o with { Province = Value() },
                "--limit" => o with { Limit = (int)ParseInt(flag, Value(), 0, int.MaxValue) },
                "--no-corrections" => o with { Corrections = false },
                "--json" => o with { JsonPath = Value() },
                "--dry-run" => o with { DryRun = true },
                "--rehearsal" => o with { Rehearsal = true },
                "--contests" => o with { Contests = ParseContests(Value()) },
                "--seed" => o with { Seed = (ulong)ParseInt(flag, Value(), 0, long.MaxValue) },
                "-h" or "--help" => o with { Help = true },
                _ => throw new ArgumentException($"unknown option {flag} (see --help)"),
            };
        }
        if (!o.Rehearsal && (o.Contests is not null || o.Seed is not null))
            throw new ArgumentException("--contests and --seed go with --rehearsal");
        return o;
    }

    private static string[] ParseContests(string list)
    {
        var ids = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var id in ids)
            if (!RehearsalContests.Contains(id))
                throw new ArgumentException($"--contests: '{id}' is not one of {string.Join(',', RehearsalContests)}");
        return ids.Length > 0 ? ids.Distinct().ToArray() : throw new ArgumentException("--contests: name at least one contest");
    }

    /// <summary>The rehearsal's election folder: --data, else data/pemilu2024 next to the tool (copied there by the build).</summary>
    public string ResolveRehearsalFolder()
    {
        var folder = DataPath ?? Path.Combine(AppContext.BaseDirectory, "data", "pemilu2024");
        return Directory.Exists(folder) ? Path.GetFullPath(folder) : throw new DirectoryNotFoundException($"no such election folder: {folder}");
    }

    /// <summary>The tps.csv.gz to read: --data, else the first match walking up from the current and the exe directory.</summary>
    public string ResolveDataPath()
    {
        if (DataPath is not null)
            return File.Exists(DataPath) ? Path.GetFullPath(DataPath) : throw new FileNotFoundException($"no such file: {DataPath}");
        var relative = Path.Combine("shared", "data", "pilpres2019", "tps.csv.gz");
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        throw new FileNotFoundException($"{relative} not found above the current or the exe directory; use --data");
    }

    private static Uri ParseUri(string s) =>
        Uri.TryCreate(s, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"--server: not an http(s) URL: {s}");

    private static long ParseInt(string flag, string s, long min, long max) =>
        long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new ArgumentException($"{flag}: expected a whole number from {min} to {max}, got '{s}'");

    private static double ParsePositive(string flag, string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)
            ? v
            : throw new ArgumentException($"{flag}: expected a positive number, got '{s}'");
}

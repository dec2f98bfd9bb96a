using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using Broadcast.Elections;
using Broadcast.Elections.Rehearsal;
using Broadcast.Ingest;
using Broadcast.Storage;
using Microsoft.Extensions.Options;

namespace Broadcast.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Replays the 2019 election night into this server at start-up (<c>--demo</c> sets it).</summary>
    public bool Enabled { get; set; }

    /// <summary>Election-night seconds per real second: 3600 plays one hour of the night per second.</summary>
    public double SpeedUp { get; set; } = 3600;

    /// <summary>Defaults to <c>demo-forms.csv.gz</c> in the election's data folder (shipped for pilpres2019).</summary>
    public string? DataFile { get; set; }

    /// <summary>
    /// The 2024 election (no recorded night) plays the SYNTHETIC legislative rehearsal night
    /// (docs/rehearsal.md) made from this seed: the same seed, the same night.
    /// </summary>
    public ulong Seed { get; set; } = RehearsalNight.DefaultSeed;
}

/// <summary>
/// Demo mode: plays real 2019 forms (Situng numbers, then volunteers' corrections) into the
/// store at a chosen speed, through the same rules and writer as the HTTP API, so every
/// screen moves right after <c>dotnet run</c>. Forms already stored count as duplicates,
/// so restarting the demo on the same database changes nothing it already played.
/// With the 2024 election, which has no recorded night, it plays the SYNTHETIC legislative
/// rehearsal night instead (DPR, DPD, DPRD provinsi and DPRD kab/kota forms generated around
/// the official DPR votes; see docs/rehearsal.md), and says so in the log.
/// </summary>
public sealed partial class DemoNight(
    IOptions<DemoOptions> options, IOptions<ElectionOptions> electionOptions, IOptions<RulesOptions> rules,
    Election election, FormWriter writer, ILogger<DemoNight> logger) : BackgroundService
{
    private const int FormsPerAppend = 2_000;

    public static string DataFile(DemoOptions demo, ElectionOptions election) =>
        demo.DataFile ?? Path.Combine(election.Folder, "demo-forms.csv.gz");

    private sealed record DemoForm(long OffsetSeconds, string Station, int[] Numbers);

    /// <summary>Whether the demo plays the synthetic rehearsal night: there is no recorded night to play.</summary>
    public static bool PlaysRehearsal(DemoOptions demo, ElectionOptions election) =>
        !File.Exists(DataFile(demo, election)) && demo.DataFile is null && RehearsalNight.IsAvailable(election.Folder);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        if (PlaysRehearsal(options.Value, electionOptions.Value))
        {
            await PlayRehearsalAsync(stoppingToken);
            return;
        }
        var forms = Read(DataFile(options.Value, electionOptions.Value));
        LogStarted(logger, forms.Count, options.Value.SpeedUp);
        var seconds = await PlayAsync(forms.Count, i => forms[i].OffsetSeconds,
            (start, end) => AppendAsync(Submitted(Enumerable.Range(start, end - start).Select(i => forms[i]))), stoppingToken);
        LogFinished(logger, forms.Count, seconds);
    }

    /// <summary>The 2019 forms as the API would take them: the presidential contest; a station the data does not know is skipped.</summary>
    private IEnumerable<SubmittedForm> Submitted(IEnumerable<DemoForm> forms)
    {
        var contest = election.Contests[0];
        var ballot = contest.Ballots[0];
        foreach (var form in forms)
        {
            if (election.FindStation(form.Station) is not { } station) continue;
            var n = form.Numbers;
            yield return new SubmittedForm(form.Station, station, contest, ballot, new FormNumbers([n[0], n[1]], n[2], n[3], n[4]));
        }
    }

    /// <summary>
    /// The rehearsal night: generated (deterministically) at start, then each form made as it
    /// falls due on the night clock, which starts at the first arrival.
    /// </summary>
    private async Task PlayRehearsalAsync(CancellationToken stoppingToken)
    {
        var seed = options.Value.Seed;
        var night = await Task.Run(() => RehearsalNight.Create(election, electionOptions.Value.Folder, seed), stoppingToken);
        var schedule = night.Schedule(night.Contests);
        LogRehearsalStarted(logger, schedule.Count, seed, options.Value.SpeedUp);
        if (schedule.Count == 0) return;
        var first = schedule[0].Arrival;
        var seconds = await PlayAsync(schedule.Count, i => (schedule[i].Arrival - first).TotalSeconds,
            (start, end) => AppendAsync(Enumerable.Range(start, end - start).Select(i => Submitted(night.Form(schedule[i])))), stoppingToken);
        LogRehearsalFinished(logger, schedule.Count, seconds);
    }

    private SubmittedForm Submitted(RehearsalForm form) =>
        new(election.StationId(form.Station), form.Station, form.Contest, form.Ballot, new FormNumbers(form.Votes, form.Valid, form.Invalid, form.Total));

    /// <summary>
    /// Plays <paramref name="count"/> forms on the night clock: every quarter second, those whose
    /// <paramref name="dueAt"/> (seconds into the night) has come, <see cref="FormsPerAppend"/> to an
    /// <paramref name="append"/> of the range [start, end). Returns the real seconds it took.
    /// </summary>
    private async Task<double> PlayAsync(int count, Func<int, double> dueAt, Func<int, int, Task> append, CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        var next = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (next < count && await timer.WaitForNextTickAsync(stoppingToken))
        {
            var nightSeconds = clock.Elapsed.TotalSeconds * options.Value.SpeedUp;
            var due = next;
            while (due < count && dueAt(due) <= nightSeconds) due++;
            // Behind the clock (the store is slower than the night at high speed-ups) this loop is long: it stops with the host.
            for (var start = next; start < due && !stoppingToken.IsCancellationRequested; start += FormsPerAppend)
                await append(start, Math.Min(start + FormsPerAppend, due));
            next = due;
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Stores forms as the API does: each checked against the rules, all in one append, under the key id <c>demo</c>.</summary>
    private async Task AppendAsync(IEnumerable<SubmittedForm> forms)
    {
        var revisions = new List<NewRevision>(FormsPerAppend);
        foreach (var form in forms)
        {
            var (status, problems) = FormRules.Check(form, election, rules.Value);
            revisions.Add(new NewRevision(form.Contest.Id, form.Station, form.Numbers, status, problems));
        }
        try
        {
            await writer.AppendAsync(new AppendRequest("demo", null, SHA256.HashData([]), revisions));
        }
        catch (StoreUnavailableException e)
        {
            LogAppendFailed(logger, e);
        }
    }

    private static List<DemoForm> Read(string path)
    {
        var forms = new List<DemoForm>(810_000);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        reader.ReadLine(); // offset_s,station,v01,v02,valid,invalid,total
        while (reader.ReadLine() is { } line)
        {
            var f = line.Split(',');
            // A count above the ingest limit (a real 2019 typo) would be refused by the API; the demo skips it too.
            var numbers = f[2..].Select(int.Parse).ToArray();
            if (numbers.Any(x => x > FormParser.MaxCount)) continue;
            forms.Add(new DemoForm(long.Parse(f[0]), f[1], numbers));
        }
        return forms;
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Demo: replaying {Forms} forms of the 2019 election night at {SpeedUp}x")]
    private static partial void LogStarted(ILogger logger, int forms, double speedUp);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Demo: all {Forms} forms played in {Seconds:F0} s")]
    private static partial void LogFinished(ILogger logger, int forms, double seconds);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Demo: the store refused a batch; it is skipped")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "Demo: playing the SYNTHETIC 2024 legislative rehearsal night (seed {Seed}): {Forms} generated forms at {SpeedUp}x. " +
        "They are not real results: only the DPR votes per dapil and party are official; label every screen showing them as synthetic (docs/rehearsal.md)")]
    private static partial void LogRehearsalStarted(ILogger logger, int forms, ulong seed, double speedUp);

    [LoggerMessage(EventId = 504, Level = LogLevel.Information, Message = "Demo: all {Forms} SYNTHETIC rehearsal forms played in {Seconds:F0} s")]
    private static partial void LogRehearsalFinished(ILogger logger, int forms, double seconds);
}

public static class DemoSetup
{
    /// <summary><c>--demo</c> on the command line turns demo mode on (same as <c>Demo:Enabled=true</c>).</summary>
    public static string[] TakeDemoFlag(string[] args, out bool demo)
    {
        demo = args.Contains("--demo");
        return args.Where(a => a != "--demo").ToArray();
    }

    public static IHostApplicationBuilder AddDemo(this IHostApplicationBuilder builder, bool demoFlag)
    {
        // A demo is a rehearsal (Rehearsal/RehearsalSetup.cs): its own store, and every screen says so.
        if (demoFlag) builder.Configuration["Demo:Enabled"] = "true";
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section)
            .Validate(o => o.SpeedUp > 0, "Demo:SpeedUp must be above 0")
            .Validate<IOptions<ElectionOptions>>((o, election) => !o.Enabled || File.Exists(DemoNight.DataFile(o, election.Value))
                    || DemoNight.PlaysRehearsal(o, election.Value),
                "Demo mode needs its data: demo-forms.csv.gz (the pilpres2019 election) or the rehearsal anchors (pemilu2024; " +
                "see data/README.md), or set Demo:DataFile")
            .ValidateOnStart();
        builder.Services.AddHostedService<DemoNight>();
        return builder;
    }
}

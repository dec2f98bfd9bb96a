using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Broadcast.Replay;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        ReplayOptions options;
        try
        {
            options = ReplayOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"replay: {e.Message}");
            return 2;
        }
        if (options.Help)
        {
            Console.Out.WriteLine(ReplayOptions.Usage);
            return 0;
        }
        if (!options.DryRun && string.IsNullOrEmpty(options.Key))
        {
            Console.Error.WriteLine("replay: no ingest key: pass --key or set BROADCAST_INGEST_KEY");
            return 2;
        }
        if (options.Rehearsal)
            return await RehearsalReplay.RunAsync(options);
        try
        {
            var (night, timeline) = Load(options);
            return options.DryRun ? 0 : await ReplayAsync(options, night, timeline);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or OverflowException or ArgumentException)
        {
            Console.Error.WriteLine($"replay: {e.Message}");
            return 2;
        }
    }

    /// <summary>Reads and orders the data; prints what was read (all of the dry run's output).</summary>
    private static (ElectionNight Night, Form[] Timeline) Load(ReplayOptions options)
    {
        var watch = Stopwatch.StartNew();
        var path = options.ResolveDataPath();
        var villages = options.Province is null ? null : VillagesUnder(options.Province, path);
        var night = ElectionNight.Load(path, villages);
        var read = watch.Elapsed;
        var timeline = night.Timeline(timed: options.Speed is not null, options.Corrections, options.Limit);
        var order = watch.Elapsed - read;

        var corrections = timeline.Count(f => f.IsCorrection);
        var o = Console.Out;
        o.WriteLine(Inv($"data            {path}"));
        o.WriteLine(Inv($"rows read       {night.RowsRead:N0}"));
        o.WriteLine(Inv($"situng forms    {night.SitungForms:N0} ({night.WithoutPhotoTime:N0} without a photo time, sent last)"));
        o.WriteLine(Inv($"corrections     {night.Corrections:N0}"));
        o.WriteLine(Inv($"to send         {timeline.Length:N0} ({timeline.Length - corrections:N0} situng + {corrections:N0} corrections)"));
        if (night.FirstArrivalMs >= 0)
            o.WriteLine($"arrivals        {NightClock.Wib(night.FirstArrivalMs)} .. {NightClock.Wib(night.LastArrivalMs)}");
        if (timeline.Length > 0 && options.Speed is { } speed)
        {
            var span = TimeSpan.FromMilliseconds(timeline[^1].At - timeline[0].At);
            o.WriteLine(Inv($"timed replay    ends {NightClock.Wib(timeline[^1].At)}; {span.TotalHours:N1} h of night at x{speed:G} = {span / speed:hh\\:mm\\:ss}"));
        }
        o.WriteLine(Inv($"read time       {read.TotalSeconds:F2} s (+ {order.TotalSeconds:F2} s ordering)"));
        return (night, timeline);
    }

    private static HashSet<long> VillagesUnder(string region, string tpsPath)
    {
        var regions = RegionTree.Load(Path.Combine(Path.GetDirectoryName(tpsPath)!, "regions.csv.gz"));
        if (!long.TryParse(region, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) || regions.NameOf(id) is not { } name)
            throw new ArgumentException($"--province: no region with id '{region}'");
        Console.Out.WriteLine($"region          {id} {name}");
        return regions.Subtree(id);
    }

    private static Task<int> ReplayAsync(ReplayOptions options, ElectionNight night, Form[] timeline)
    {
        var clock = options.Speed is { } speed && timeline.Length > 0 ? new NightClock(timeline[0].At, speed) : null;
        var mode = options.Speed is { } s ? Inv($"speed x{s:G}") : "max";
        return SendAsync(options, timeline.Length, clock, timeline.Length > 0 ? timeline[^1].At : 0, mode,
            (sender, ct) => new Replayer(sender, options.Batch, options.Concurrency, clock).RunAsync(timeline, ct));
    }

    /// <summary>
    /// Both nights' sending: <paramref name="send"/> runs under the progress line until done, aborted
    /// or stopped by Ctrl-C / SIGTERM (the summary is printed all the same); then the summary is
    /// printed, and written with --json. Returns the exit code.
    /// </summary>
    /// <param name="data">What was sent, when it was not the real 2019 night (the summary's first line).</param>
    /// <param name="label">Shown first on every progress line.</param>
    internal static async Task<int> SendAsync(ReplayOptions options, int planned, NightClock? clock, long lastAt, string mode,
        Func<FormSender, CancellationToken, Task> send, string? data = null, string? label = null)
    {
        using var cancel = new CancellationTokenSource();
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true; // stop sending, but still print the summary
            cancel.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var stats = new ReplayStats();
        string? aborted = null;
        await using (var progress = new Progress(stats, planned, clock, lastAt, label))
        {
            using var sender = new FormSender(options, stats, progress.Log);
            try
            {
                await send(sender, cancel.Token);
            }
            catch (ReplayAbortedException e)
            {
                aborted = e.Message;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                aborted = "cancelled";
            }
        }
        var summary = stats.Summarize(options.Server.ToString(), mode, planned, aborted, data);
        PrintSummary(summary);
        if (options.JsonPath is not null)
            await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(summary, ReplayJson.Default.ReplaySummary));
        return summary.Ok ? 0 : 1;
    }

    private static void PrintSummary(ReplaySummary s)
    {
        var o = Console.Out;
        var problems = string.Join(", ", s.Problems.Select(p => Inv($"{p.Key} {p.Value:N0}")));
        o.WriteLine();
        if (s.Data is not null)
            o.WriteLine($"data            {s.Data}");
        if (s.Aborted is not null)
            o.WriteLine($"ABORTED         {s.Aborted}");
        o.WriteLine(Inv($"forms sent      {s.FormsSent:N0} of {s.FormsPlanned:N0} ({s.Mode}, {s.Server})"));
        o.WriteLine(Inv($"counted         {s.Counted:N0}"));
        o.WriteLine(Inv($"quarantined     {s.Quarantined:N0} (problem codes on all receipts: {(problems.Length > 0 ? problems : "none")})"));
        o.WriteLine(Inv($"duplicates      {s.Duplicates:N0}"));
        o.WriteLine(Inv($"rejected        {s.Rejected:N0}{(s.Rejected > 0 ? " (bad forms the server refused and did not store; the data's, not a failure)" : "")}"));
        foreach (var form in s.RejectedForms)
            o.WriteLine($"                  {form.Station}: {form.Problem}");
        if (s.Rejected > s.RejectedForms.Count)
            o.WriteLine(Inv($"                  ... and {s.Rejected - s.RejectedForms.Count:N0} more"));
        o.WriteLine(Inv($"failed          {s.Failed:N0}{(s.Failed > 0 ? " (no usable answer after retries, or an unexpected HTTP status: see the messages above)" : "")}"));
        o.WriteLine(Inv($"corrections     {s.CorrectionsSent:N0}"));
        o.WriteLine(Inv($"requests        {s.Requests:N0} ({s.Retries:N0} retries)"));
        o.WriteLine(Inv($"elapsed         {s.ElapsedSeconds:N1} s, {s.FormsPerSecond:N0} forms/s"));
        o.WriteLine(Inv($"latency         p50 {s.Latency.P50:N1} ms, p95 {s.Latency.P95:N1} ms, p99 {s.Latency.P99:N1} ms per request"));
        o.WriteLine(s.Ok
            ? "result          ok: every form answered (rejected and quarantined forms are outcomes, not failures)"
            : $"result          FAILED: {(s.Aborted is not null ? "aborted" : Inv($"{s.Failed:N0} forms failed"))}");
    }

    internal static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

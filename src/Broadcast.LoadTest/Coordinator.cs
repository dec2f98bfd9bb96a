using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Broadcast.Replay;

namespace Broadcast.LoadTest;

/// <summary>
/// The coordinator role: spawns the viewer processes, drives the ingest itself, samples the
/// server's CPU and memory at the phase boundaries and merges everything into one report.
/// </summary>
public sealed class Coordinator(LoadOptions options)
{
    /// <summary>Time for the children to start and fetch the region list before the ramp begins.</summary>
    private static readonly TimeSpan StartDelay = TimeSpan.FromSeconds(4);

    private readonly List<ViewerProcess> _children = [];
    private IngestDriver? _ingest;
    private RegionTree? _tree;
    private OriginLog.Counts? _originLog;

    public async Task<int> RunAsync()
    {
        var (bodies, villages) = LoadForms();
        var beforeViewers = ServerProbe.Read(options.ServerPids);
        var schedule = new Schedule(Schedule.Now + Schedule.Ticks(StartDelay), options.Ramp, options.Duration!.Value);
        SpawnChildren(schedule);
        using var ingest = _ingest = bodies.Length > 0 ? new IngestDriver(options) : null;
        using var scraper = options.Metrics ? new MetricsScraper(options.MetricsServers.Length > 0 ? options.MetricsServers : options.Servers) : null;
        using var stopProgress = new CancellationTokenSource();
        var progress = new ProgressLine(schedule, _children, ingest).RunAsync(stopProgress.Token);
        try
        {
            await Schedule.UntilAsync(schedule.WindowStart);
            var afterViewers = ServerProbe.Read(options.ServerPids);
            var originLog = options.OriginLog is { } log ? new OriginLog(log) : null;
            var ingestRun = ingest?.RunAsync(bodies, villages, schedule, options.FormsPerSecond, options.Batch);
            var metricsStart = scraper is null ? null : await scraper.ScrapeAsync();
            await Schedule.UntilAsync(schedule.WindowEnd);
            var windowEnd = ServerProbe.Read(options.ServerPids);
            _originLog = originLog?.Read();
            var metricsWindowEnd = scraper is null ? null : await scraper.ScrapeAsync();
            var ingestReport = ingestRun is null ? null : await ingestRun;
            var wait = TimeSpan.FromSeconds(Schedule.Seconds(schedule.StopAt - Schedule.Now)) + TimeSpan.FromSeconds(40);
            await Task.WhenAll(_children.Select(c => c.WaitAsync(wait)));
            var metricsDrained = scraper is null ? null : await scraper.ScrapeAsync();
            await stopProgress.CancelAsync();
            await progress;
            var metrics = scraper is null ? null
                : scraper.Report(metricsStart!, metricsWindowEnd!, metricsDrained!, options.Duration!.Value.TotalSeconds);
            var report = Build(schedule, ingestReport, (beforeViewers, afterViewers, windowEnd), metrics);
            ReportPrinter.Print(report, Console.Out);
            if (options.JsonPath is not null)
                await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(report, LoadJson.Indented.LoadReport) + "\n");
            return _children.All(c => c.Result is not null) ? 0 : 1;
        }
        finally
        {
            foreach (var child in _children) child.Dispose();
        }
    }

    private (byte[][] Bodies, long[][] Villages) LoadForms()
    {
        if (options.FormsPerSecond <= 0)
            return ([], []);
        if (string.IsNullOrEmpty(options.Key))
            throw new ArgumentException("no ingest key: pass --key or set BROADCAST_INGEST_KEY");
        var watch = Stopwatch.StartNew();
        var path = options.ResolveDataPath();
        var forms = StationForms.Load(path, options.Seed);
        var count = (int)Math.Ceiling(options.FormsPerSecond * options.Duration!.Value.TotalSeconds);
        var bodies = StationForms.Bodies(forms, options.Skip, count, options.Batch);
        var villages = StationForms.Villages(forms, options.Skip, count, options.Batch);
        // Province and regency probes match only the forms of their group: the tree says which.
        var regions = Path.Combine(Path.GetDirectoryName(path)!, "regions.csv.gz");
        if (File.Exists(regions) && options.Mix.Audiences.Any(a => a.Level != GroupLevel.National))
            _tree = RegionTree.Load(regions);
        Console.Error.WriteLine(Inv($"loadtest: {count:N0} forms in {bodies.Length:N0} batches from {path} ({forms.Length:N0} stations) in {watch.Elapsed.TotalSeconds:F1} s"));
        return (bodies, villages);
    }

    /// <summary>Splits the viewers evenly over ceil(connections / per-process) children.</summary>
    private void SpawnChildren(Schedule schedule)
    {
        if (options.Connections == 0)
            return;
        var k = (options.Connections + options.PerProcess - 1) / options.PerProcess;
        for (var i = 0; i < k; i++)
        {
            var n = options.Connections / k + (i < options.Connections % k ? 1 : 0);
            _children.Add(ViewerProcess.Start(i, options.ChildArgs(i, n, schedule.StartAt)));
        }
        Console.Error.WriteLine(Inv($"loadtest: {options.Connections:N0} {(options.Poll is null ? "viewers" : "pollers")} in {k} process(es), ramp {options.Ramp.TotalSeconds:F0} s, window {options.Duration!.Value.TotalSeconds:F0} s"));
        foreach (var a in options.Mix.Audiences)
            Console.Error.WriteLine(Inv($"loadtest:   {a.Weight / options.Mix.TotalWeight:P0} {a.Describe()}"));
    }

    private LoadReport Build(Schedule schedule, IngestReport? ingest, (ServerSample[]? Before, ServerSample[]? After, ServerSample[]? End) server,
        MetricsReport? metrics)
    {
        var results = _children.Select(c => c.Result).OfType<ViewerReport>().ToArray();
        foreach (var missing in _children.Where(c => c.Result is null))
            Console.Error.WriteLine($"loadtest: viewer process {missing.Index} gave no result");
        long Sum(Func<ViewerReport, long> f) => results.Sum(f);
        var window = options.Duration!.Value.TotalSeconds;
        var deliveries = Sum(r => r.WindowDeliveries);
        var held = Sum(r => r.HeldAtWindowStart);
        var forms = ingest?.FormsAccepted ?? 0;
        var latencies = new LatencyMatcher(_ingest?.Receipts() ?? [], _tree).Match(results, options.Mix);
        var audiences = Audiences(results, latencies, window);
        // The headline figure of older reports: the first national audience's.
        var nationalIndex = Array.FindIndex(options.Mix.Audiences, a => a.Level == GroupLevel.National);
        var latency = latencies[Math.Max(0, nationalIndex)];
        var serverReport = ServerFigures(server, held, deliveries, forms);
        var failures = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (reason, count) in results.SelectMany(r => r.Reasons))
            failures[reason] = failures.GetValueOrDefault(reason) + count;
        using var self = Process.GetCurrentProcess();
        return new LoadReport(
            string.Join(",", options.Servers.Select(s => s.ToString())), options.Connections, _children.Count, options.Mix.ToString(),
            options.Ramp.TotalSeconds, window, held, Sum(r => r.HeldAtEnd), Sum(r => r.ConnectFailures), Sum(r => r.SubscribeFailures),
            Sum(r => r.ServerCloses), Sum(r => r.Drops), Sum(r => r.CloseMessages), Sum(r => r.Rebuilds), Sum(r => r.UnexpectedMessages),
            Sum(r => r.Gaps), Sum(r => r.Stale), deliveries, deliveries / window, ingest, forms / window, latency, serverReport,
            results.Sum(r => r.CpuSeconds) + self.TotalProcessorTime.TotalSeconds, results.Select(r => r.PeakRssKb).DefaultIfEmpty().Max(),
            failures, metrics, Origin(audiences, window), audiences, options.Poll is not null);
    }

    private OriginReport Origin(AudienceFigures[] audiences, double window)
    {
        var requests = (long)Math.Round(audiences.Sum(a => a.RequestsPerSecond) * window);
        var wire = audiences.Sum(a => a.WireBytesPerSecond);
        if (options.Poll is not { } every)
            return new OriginReport("push", 0, wire, 0, (long)(wire * window), 0, audiences.Sum(a => a.MessageBytesPerSecond));
        var mode = Inv($"polling every {every.TotalSeconds:0.##} s{(options.PollPlain ? ", plain" : ", br/gzip + ETag")}");
        var body = audiences.Sum(a => a.BodyBytesPerSecond);
        var errors = audiences.Sum(a => a.PollErrors);
        return _originLog is { } log
            ? new OriginReport(mode + ", through the caching proxy", requests / window, wire, requests, (long)(wire * window), errors, body,
                log.UpstreamBytes / window, log.OriginRequests, log.OriginRequests / window)
            : new OriginReport(mode, requests / window, wire, requests, (long)(wire * window), errors, body);
    }

    private AudienceFigures[] Audiences(ViewerReport[] results, LatencyReport[] latencies, double window)
    {
        var mix = options.Mix;
        return mix.Audiences.Select((a, i) =>
        {
            var parts = results.Select(r => r.Audiences is { } list && i < list.Length ? list[i] : null).OfType<AudienceReport>().ToArray();
            var m = parts.Length > 0 ? AudienceReport.Merge(parts)
                : new AudienceReport(a.Name, a.Describe(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new Histogram().ToData(), 0, 0, 0, 0, 0, 0, 0, 0, null);
            var held = Math.Max(1, m.HeldAtWindowStart);
            var requests = m.Requests;
            return new AudienceFigures(a.Name, a.Describe(), m.Viewers, m.HeldAtWindowStart, m.HeldAtEnd,
                m.Frames, m.Frames / window, m.Frames / window / held, m.TotalsChanged, m.Deltas, m.Headlines,
                m.MessageBytes / window, m.WireBytesRead / window, m.WireBytesWritten / window,
                m.Frames > 0 ? (double)m.WireBytesRead / m.Frames : 0,
                Histogram.From(m.FrameSizes).Sizes(), m.Gaps, m.Stale, m.Overlaps,
                requests / window, m.Ok, m.NotModified, m.BodyBytes / window, requests > 0 ? (double)m.WireBytesRead / requests : 0, m.PollErrors,
                latencies[i], m.BareLatency is { } bare ? Histogram.From(bare).Summary() : null, m.Verified, m.VerifyFailed, m.VerifyApplied, m.PollsMissed);
        }).ToArray();
    }

    /// <summary>
    /// CPU over the measured window divided by frames and by forms: the same CPU seconds twice (the
    /// server does both jobs at once), each figure the cost of the whole mix per unit of one output.
    /// </summary>
    private ServerReport ServerFigures((ServerSample[]? Before, ServerSample[]? After, ServerSample[]? End) s, long held, long deliveries, long forms)
    {
        var pids = options.ServerPids;
        int? first = pids.Length > 0 ? pids[0] : null;
        if (s is not { Before: { } before, After: { } after, End: { } end })
            return new ServerReport(first, 0, 0, 0, 0, 0, 0, pids, 0, []);
        var nodes = pids.Select((pid, i) => new NodeProcess(pid, end[i].CpuSeconds - after[i].CpuSeconds,
            before[i].RssKb, after[i].RssKb, end[i].RssKb)).ToArray();
        var cpu = nodes.Sum(n => n.CpuSecondsInWindow);
        var rssBefore = before.Sum(x => x.RssKb);
        var rssAfter = after.Sum(x => x.RssKb);
        return new ServerReport(first, cpu,
            deliveries > 0 ? cpu * 1000 / deliveries * 1000 : 0,
            forms > 0 ? cpu * 1000 / forms * 1000 : 0,
            rssBefore, rssAfter, held > 0 ? (double)(rssAfter - rssBefore) / held : 0,
            pids, held > 0 ? (double)rssAfter / held : 0, nodes);
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

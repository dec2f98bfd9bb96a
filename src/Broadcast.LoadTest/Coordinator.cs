using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

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
    private Pollers.Result? _polling;
    private IngestDriver? _ingest;

    public async Task<int> RunAsync()
    {
        var bodies = LoadForms();
        var beforeViewers = ServerProbe.Read(options.ServerPids);
        var schedule = new Schedule(Schedule.Now + Schedule.Ticks(StartDelay), options.Ramp, options.Duration!.Value);
        var polling = options.Poll is { } every ? new Pollers(options, every).RunAsync(schedule) : null;
        if (polling is null) SpawnChildren(schedule);
        using var ingest = _ingest = bodies.Length > 0 ? new IngestDriver(options) : null;
        using var scraper = options.Metrics ? new MetricsScraper(options.Servers) : null;
        using var stopProgress = new CancellationTokenSource();
        var progress = new ProgressLine(schedule, _children, ingest).RunAsync(stopProgress.Token);
        try
        {
            await Schedule.UntilAsync(schedule.WindowStart);
            var afterViewers = ServerProbe.Read(options.ServerPids);
            var ingestRun = ingest?.RunAsync(bodies, schedule, options.FormsPerSecond, options.Batch);
            var metricsStart = scraper is null ? null : await scraper.ScrapeAsync();
            await Schedule.UntilAsync(schedule.WindowEnd);
            var windowEnd = ServerProbe.Read(options.ServerPids);
            var metricsWindowEnd = scraper is null ? null : await scraper.ScrapeAsync();
            var ingestReport = ingestRun is null ? null : await ingestRun;
            var wait = TimeSpan.FromSeconds(Schedule.Seconds(schedule.StopAt - Schedule.Now)) + TimeSpan.FromSeconds(40);
            await Task.WhenAll(_children.Select(c => c.WaitAsync(wait)));
            if (polling is not null) _polling = await polling;
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

    private byte[][] LoadForms()
    {
        if (options.FormsPerSecond <= 0)
            return [];
        if (string.IsNullOrEmpty(options.Key))
            throw new ArgumentException("no ingest key: pass --key or set BROADCAST_INGEST_KEY");
        var watch = Stopwatch.StartNew();
        var path = options.ResolveDataPath();
        var forms = StationForms.Load(path, options.Seed);
        var count = (int)Math.Ceiling(options.FormsPerSecond * options.Duration!.Value.TotalSeconds);
        var bodies = StationForms.Bodies(forms, options.Skip, count, options.Batch);
        Console.Error.WriteLine(Inv($"loadtest: {count:N0} forms in {bodies.Length:N0} batches from {path} ({forms.Length:N0} stations) in {watch.Elapsed.TotalSeconds:F1} s"));
        return bodies;
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
        Console.Error.WriteLine(Inv($"loadtest: {options.Connections:N0} viewers in {k} process(es), ramp {options.Ramp.TotalSeconds:F0} s, window {options.Duration!.Value.TotalSeconds:F0} s"));
    }

    private LoadReport Build(Schedule schedule, IngestReport? ingest, (ServerSample[]? Before, ServerSample[]? After, ServerSample[]? End) server,
        MetricsReport? metrics)
    {
        var results = _children.Select(c => c.Result).OfType<ViewerReport>()
            .Concat(_polling is { } polled ? [polled.AsViewerReport()] : []).ToArray();
        foreach (var missing in _children.Where(c => c.Result is null))
            Console.Error.WriteLine($"loadtest: viewer process {missing.Index} gave no result");
        long Sum(Func<ViewerReport, long> f) => results.Sum(f);
        var window = options.Duration!.Value.TotalSeconds;
        var deliveries = Sum(r => r.WindowDeliveries);
        var held = Sum(r => r.HeldAtWindowStart);
        var forms = ingest?.FormsAccepted ?? 0;
        var latency = LatencyMatcher.Match(_ingest?.Receipts() ?? [], results);
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
            failures, metrics, _polling is { } polling
                ? new OriginReport($"polling every {options.Poll!.Value.TotalSeconds:0} s", polling.WindowRequests / window,
                    polling.WindowBytes / window, polling.WindowRequests, polling.WindowBytes, polling.Errors)
                : new OriginReport("push", 0, Sum(r => r.WindowBytes) / window, 0, Sum(r => r.WindowBytes), 0));
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

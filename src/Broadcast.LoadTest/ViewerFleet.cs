using System.Diagnostics;
using System.Text.Json;

namespace Broadcast.LoadTest;

/// <summary>
/// The viewers role: one process holding up to ~15,000 viewers. It connects them over the ramp,
/// pings them, prints a progress line (JSON) on stdout every second and one result line at the end.
/// </summary>
public sealed class ViewerFleet
{
    /// <summary>Per-viewer receive slice: the largest message a viewer must read whole is the handshake answer.</summary>
    private const int BufferBytes = 1024;
    /// <summary>A verifying viewer reads whole messages: the largest snapshot (a province's, a village's stations) fits.</summary>
    private const int VerifyBufferBytes = 512 * 1024;
    private const int ConnectConcurrency = 256;
    private static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    public const string ProgressPrefix = "PROGRESS ";
    public const string ResultPrefix = "RESULT ";

    private readonly LoadOptions _options;
    private readonly Schedule _schedule;
    private readonly FleetCounters _counters = new();
    private Viewer[] _viewers = [];
    private AudienceStats[] _audiences = [];
    private long _heldAtWindowStart = -1;
    private long[]? _audienceHeldAtWindowStart;
    private long[]? _audienceHeldAtEnd;

    public ViewerFleet(LoadOptions options)
    {
        _options = options;
        _schedule = new Schedule(options.StartAt != 0 ? options.StartAt : Schedule.Now, options.Ramp, options.Duration!.Value);
    }

    public async Task<int> RunAsync()
    {
        var bind = _options.Bind.FirstOrDefault();
        _audiences = _options.Mix.Audiences.Select(a => new AudienceStats(a, _schedule)).ToArray();
        // One handler per audience: its sockets are counted on their own.
        var handlers = _audiences.Select(a => WireCounter.Handler(bind, a.Wire, _options.Poll is null ? int.MaxValue : 1024)).ToArray();
        try
        {
            RegionCatalog catalog;
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
                catalog = await RegionCatalog.LoadAsync(http, _options.Servers[0], _options.Mix, CancellationToken.None);
            if (_options.Poll is not null)
                return await PollAsync(catalog, handlers);
            var invokers = handlers.Select(h => new HttpMessageInvoker(h, disposeHandler: false)).ToArray();
            _viewers = Build(catalog);
            using var stop = new CancellationTokenSource();
            var progress = ProgressAsync(stop.Token);
            var pings = PingAsync(stop.Token);
            var runs = await ConnectAsync(invokers);
            await Schedule.UntilAsync(_schedule.StopAt);
            await stop.CancelAsync();
            await pings;
            await progress;
            var held = _counters.Held;
            _audienceHeldAtEnd = _audiences.Select(a => a.Held).ToArray();
            await VerifyAsync();
            await CloseAllAsync(runs);
            var report = Report(held);
            Console.Out.WriteLine(ResultPrefix + JsonSerializer.Serialize(report, LoadJson.Default.ViewerReport));
            Console.Out.Flush();
            return 0;
        }
        finally
        {
            foreach (var h in handlers) h.Dispose();
        }
    }

    /// <summary>The polling baseline in this process: its share of the viewers poll instead of subscribing.</summary>
    private async Task<int> PollAsync(RegionCatalog catalog, SocketsHttpHandler[] handlers)
    {
        var clients = handlers.Select(h => new HttpClient(h, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(10) }).ToArray();
        var pollers = new Pollers(_options, _schedule, _audiences, clients);
        using var stop = new CancellationTokenSource();
        var progress = ProgressAsync(stop.Token, pollers);
        var result = await pollers.RunAsync(catalog);
        await stop.CancelAsync();
        await progress;
        foreach (var c in clients) c.Dispose();
        using var self = Process.GetCurrentProcess();
        var report = new ViewerReport(_options.Index, _options.Connections, result.Pollers, result.Pollers, result.Pollers, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, self.TotalProcessorTime.TotalSeconds, self.PeakWorkingSet64 / 1024, [], result.Probes,
            _audiences.Select((a, i) => a.Report(result.PollersPerAudience[i], result.PollersPerAudience[i])).ToArray(), result.ProbeGroups, result.ProbeAudiences);
        Console.Out.WriteLine(ResultPrefix + JsonSerializer.Serialize(report, LoadJson.Default.ViewerReport));
        Console.Out.Flush();
        return 0;
    }

    private Viewer[] Build(RegionCatalog catalog)
    {
        var random = new Random(_options.Seed);
        var n = _options.Connections;
        var slab = new byte[(long)n * BufferBytes];
        var frames = new Dictionary<(int, string), byte[]>();
        // Probes: up to --probes per audience, spread over the whole connect order, so that they sample early and late joiners.
        var mix = _options.Mix;
        var probeChance = mix.Audiences.Select(a => Math.Min(1, _options.Probes / Math.Max(1, n * a.Weight / mix.TotalWeight))).ToArray();
        var probes = new int[mix.Audiences.Length];
        var verifying = new int[mix.Audiences.Length];
        var viewers = new Viewer[n];
        for (var i = 0; i < n; i++)
        {
            var a = mix.Pick(random);
            var audience = mix.Audiences[a];
            var region = catalog.Pick(audience.Level, random);
            if (!frames.TryGetValue((a, region), out var subscribe))
                frames[(a, region)] = subscribe = HubFrames.SubscribeFor(RegionCatalog.Contest, region, audience.View, audience.MaxPerSecond);
            var probe = probes[a] < _options.Probes && random.NextDouble() < probeChance[a];
            if (probe) probes[a]++;
            // Verifying viewers: the first --verify of each audience, with a buffer that holds whole snapshots.
            var verify = !_options.Bare && verifying[a] < _options.Verify;
            if (verify) verifying[a]++;
            var server = _options.Servers[i % _options.Servers.Length];
            var hub = new UriBuilder(server) { Scheme = "ws", Path = "/hubs/results" }.Uri;
            _audiences[a].Assigned();
            viewers[i] = new Viewer(hub, subscribe, verify ? new byte[VerifyBufferBytes] : slab.AsMemory(i * BufferBytes, BufferBytes),
                _schedule, _counters, probe, _audiences[a], region, _options.Bare, verify ? new GroupState() : null);
        }
        return viewers;
    }

    /// <summary>Starts the viewers evenly over the ramp; returns their run tasks.</summary>
    private async Task<Task[]> ConnectAsync(HttpMessageInvoker[] invokers)
    {
        var n = _viewers.Length;
        var runs = new Task[n];
        var connecting = new SemaphoreSlim(ConnectConcurrency);
        var rampTicks = Schedule.Ticks(_options.Ramp);
        var started = 0;
        while (started < n)
        {
            await Schedule.UntilAsync(_schedule.StartAt + rampTicks * started / n);
            var due = rampTicks == 0 ? n : (int)Math.Min(n, (Schedule.Now - _schedule.StartAt) * n / rampTicks + 1);
            for (; started < due; started++)
                runs[started] = _viewers[started].RunAsync(invokers[Array.IndexOf(_audiences, _viewers[started].Audience)], connecting);
        }
        return runs;
    }

    /// <summary>Each second, pings the fifteenth of the viewers whose turn it is: every viewer every 15 s, spread out.</summary>
    private async Task PingAsync(CancellationToken ct)
    {
        var slots = (int)PingEvery.TotalSeconds;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var tick = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var slot = tick++ % slots;
                var sends = new List<Task>();
                for (var i = slot; i < _viewers.Length; i += slots)
                    sends.Add(_viewers[i].PingAsync());
                await Task.WhenAll(sends);
            }
        }
        catch (OperationCanceledException)
        {
            // the run is over
        }
    }

    private async Task ProgressAsync(CancellationToken ct, Pollers? pollers = null)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (_heldAtWindowStart < 0 && Schedule.Now >= _schedule.WindowStart)
                {
                    _heldAtWindowStart = _counters.Held;
                    _audienceHeldAtWindowStart = _audiences.Select(a => a.Held).ToArray();
                }
                long deliveries = 0;
                foreach (var v in _viewers) deliveries += v.Deliveries;
                var line = pollers is not null
                    ? new ViewerProgress(_options.Index, _options.Connections, pollers.Requests, pollers.Errors)
                    : new ViewerProgress(_options.Index, _counters.Held, deliveries,
                        _counters.ConnectFailures + _counters.SubscribeFailures + _counters.ServerCloses + _counters.Drops);
                Console.Out.WriteLine(ProgressPrefix + JsonSerializer.Serialize(line, LoadJson.Default.ViewerProgress));
                Console.Out.Flush();
            }
        }
        catch (OperationCanceledException)
        {
            // the run is over
        }
    }

    /// <summary>
    /// Compares each verifying viewer's group, as it applied it, with the read API's snapshot (the
    /// ingest stopped at window end; by now every run has been pushed, the capped ones too).
    /// </summary>
    private async Task VerifyAsync()
    {
        var verifying = _viewers.Where(v => v.Verify is not null && v.State == ViewerState.Subscribed).ToArray();
        if (verifying.Length == 0) return;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var snapshots = new Dictionary<string, (long Version, JsonDocument Doc)>(StringComparer.Ordinal);
        // A viewer still behind the read API may have its last frames in flight (a capped rate, a busy
        // server): it gets up to 10 s more before it is judged.
        var deadline = Schedule.Now + Schedule.Ticks(TimeSpan.FromSeconds(10));
        foreach (var v in verifying)
        {
            var state = v.Verify!;
            var stats = v.Audience;
            if (!snapshots.TryGetValue(v.Group, out var truth))
            {
                var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(_options.Servers[0], $"/api/v1/results/{RegionCatalog.Contest}/{Uri.EscapeDataString(v.Group)}")));
                snapshots[v.Group] = truth = (doc.RootElement.GetProperty("version").GetInt64(), doc);
            }
            while (state.Broken is null && state.Version < truth.Version && Schedule.Now < deadline)
                await Task.Delay(100);
            string? problem;
            if (state.Broken is { } broken) problem = "broken: " + broken;
            else if (state.Version != truth.Version) problem = $"holds version {state.Version}, the read API {truth.Version}";
            else problem = state.Compare(truth.Doc.RootElement, stats.Audience.View == ViewKind.Headline);
            stats.Verified(problem, state.Applied);
            if (problem is not null)
                Console.Error.WriteLine($"verify: {stats.Audience.Name} viewer of {v.Group}: {problem}");
        }
        foreach (var (_, doc) in snapshots.Values) doc.Dispose();
    }

    /// <summary>Closes politely (close frame, the server answers), then aborts whatever did not finish in time.</summary>
    private async Task CloseAllAsync(Task[] runs)
    {
        using var deadline = new CancellationTokenSource(CloseTimeout);
        await Parallel.ForEachAsync(_viewers, new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (v, _) => await v.CloseAsync(deadline.Token));
        var all = Task.WhenAll(runs.Where(t => t is not null));
        if (await Task.WhenAny(all, Task.Delay(CloseTimeout)) != all)
            foreach (var v in _viewers) v.Abort();
        await all;
    }

    private ViewerReport Report(long heldAtEnd)
    {
        var c = _counters;
        long deliveries = 0;
        foreach (var v in _viewers) deliveries += v.Deliveries;
        var probing = _viewers.Where(v => v.Arrivals is not null).ToArray();
        var probes = probing.Select(v => v.Arrivals!.ToArray()).ToArray();
        using var self = Process.GetCurrentProcess();
        var audiences = _audiences.Select((a, i) => a.Report(_audienceHeldAtWindowStart?[i] ?? 0, _audienceHeldAtEnd?[i] ?? a.Held)).ToArray();
        // Each viewer counts its window's frames, gaps and stale frames into its audience only: the process's are their sums.
        return new ViewerReport(_options.Index, _viewers.Length, c.JoinedCount, Math.Max(0, _heldAtWindowStart), heldAtEnd,
            c.ConnectFailures, c.SubscribeFailures, c.ServerCloses, c.Drops, c.CloseMessages, c.Rebuilds, c.UnexpectedMessages,
            deliveries, audiences.Sum(a => a.Frames), audiences.Sum(a => a.Gaps), audiences.Sum(a => a.Stale),
            self.TotalProcessorTime.TotalSeconds, self.PeakWorkingSet64 / 1024, new Dictionary<string, long>(c.Reasons), probes, audiences,
            probing.Select(v => v.Group).ToArray(), probing.Select(v => Array.IndexOf(_audiences, v.Audience)).ToArray());
    }
}

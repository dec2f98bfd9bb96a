using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
    private const int ConnectConcurrency = 256;
    private static readonly TimeSpan PingEvery = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    public const string ProgressPrefix = "PROGRESS ";
    public const string ResultPrefix = "RESULT ";

    private readonly LoadOptions _options;
    private readonly Schedule _schedule;
    private readonly FleetCounters _counters = new();
    private Viewer[] _viewers = [];
    private long _heldAtWindowStart = -1;

    public ViewerFleet(LoadOptions options)
    {
        _options = options;
        _schedule = new Schedule(options.StartAt != 0 ? options.StartAt : Schedule.Now, options.Ramp, options.Duration!.Value);
    }

    public async Task<int> RunAsync()
    {
        using var handler = CreateHandler(_options.Bind.FirstOrDefault());
        using var invoker = new HttpMessageInvoker(handler);
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
        {
            var catalog = await RegionCatalog.LoadAsync(http, _options.Servers[0], _options.Mix, CancellationToken.None);
            _viewers = Build(catalog);
        }
        using var stop = new CancellationTokenSource();
        var progress = ProgressAsync(stop.Token);
        var pings = PingAsync(stop.Token);
        var runs = await ConnectAsync(invoker);
        await Schedule.UntilAsync(_schedule.StopAt);
        await stop.CancelAsync();
        await pings;
        await progress;
        var held = _counters.Held;
        await CloseAllAsync(runs);
        var report = Report(held);
        Console.Out.WriteLine(ResultPrefix + JsonSerializer.Serialize(report, LoadJson.Default.ViewerReport));
        Console.Out.Flush();
        return 0;
    }

    private Viewer[] Build(RegionCatalog catalog)
    {
        var random = new Random(_options.Seed);
        var n = _options.Connections;
        var slab = new byte[(long)n * BufferBytes];
        var frames = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        // Probes are national viewers spread over the whole connect order, so that they sample early and late joiners.
        var expectedNational = Math.Max(1, n * _options.Mix.National / (_options.Mix.National + _options.Mix.Province + _options.Mix.Regency));
        var probeChance = Math.Min(1, _options.Probes / expectedNational);
        var probes = 0;
        var viewers = new Viewer[n];
        for (var i = 0; i < n; i++)
        {
            var region = catalog.Pick(_options.Mix, random);
            if (!frames.TryGetValue(region, out var subscribe))
                frames[region] = subscribe = HubFrames.Subscribe(RegionCatalog.Contest, region);
            var probe = region == RegionCatalog.National && probes < _options.Probes && random.NextDouble() < probeChance;
            if (probe) probes++;
            var server = _options.Servers[i % _options.Servers.Length];
            var hub = new UriBuilder(server) { Scheme = "ws", Path = "/hubs/results" }.Uri;
            viewers[i] = new Viewer(hub, subscribe, slab.AsMemory(i * BufferBytes, BufferBytes), _schedule, _counters, probe);
        }
        return viewers;
    }

    /// <summary>Starts the viewers evenly over the ramp; returns their run tasks.</summary>
    private async Task<Task[]> ConnectAsync(HttpMessageInvoker invoker)
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
                runs[started] = _viewers[started].RunAsync(invoker, connecting);
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

    private async Task ProgressAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (_heldAtWindowStart < 0 && Schedule.Now >= _schedule.WindowStart)
                    _heldAtWindowStart = _counters.Held;
                long deliveries = 0;
                foreach (var v in _viewers) deliveries += v.Deliveries;
                var line = new ViewerProgress(_options.Index, _counters.Held, deliveries,
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
        long deliveries = 0, window = 0, gaps = 0, stale = 0, bytes = 0;
        foreach (var v in _viewers)
            (deliveries, window, gaps, stale, bytes) = (deliveries + v.Deliveries, window + v.WindowDeliveries, gaps + v.Gaps, stale + v.Stale, bytes + v.WindowBytes);
        var probes = _viewers.Where(v => v.Arrivals is not null).Select(v => v.Arrivals!.ToArray()).ToArray();
        using var self = Process.GetCurrentProcess();
        return new ViewerReport(_options.Index, _viewers.Length, c.JoinedCount, Math.Max(0, _heldAtWindowStart), heldAtEnd,
            c.ConnectFailures, c.SubscribeFailures, c.ServerCloses, c.Drops, c.CloseMessages, c.Rebuilds, c.UnexpectedMessages,
            deliveries, window, gaps, stale, self.TotalProcessorTime.TotalSeconds, self.PeakWorkingSet64 / 1024,
            new Dictionary<string, long>(c.Reasons), probes, bytes);
    }

    /// <summary>
    /// One handler for every viewer: it dials the TCP connection itself so that it can pick the
    /// source address; each (source, destination) address pair has its own ~28k ephemeral ports.
    /// </summary>
    private static SocketsHttpHandler CreateHandler(IPAddress? bind) => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        ConnectCallback = async (context, ct) =>
        {
            var socket = bind is null
                ? new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
                : new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (bind is not null)
                {
                    // IP_BIND_ADDRESS_NO_PORT: choose the port at connect time, per destination, not at bind time for all.
                    socket.SetRawSocketOption(0 /* SOL_IP */, 24 /* IP_BIND_ADDRESS_NO_PORT */, BitConverter.GetBytes(1));
                    socket.Bind(new IPEndPoint(bind, 0));
                }
                var host = context.DnsEndPoint;
                EndPoint target = IPAddress.TryParse(host.Host, out var ip) ? new IPEndPoint(ip, host.Port) : host;
                await socket.ConnectAsync(target, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

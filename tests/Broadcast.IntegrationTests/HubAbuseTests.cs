using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.IntegrationTests.Cluster;
using Broadcast.IntegrationTests.Support;
using Broadcast.Push;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Broadcast.IntegrationTests;

/// <summary>
/// Viewers that are not viewers: an anonymous connection calling in a loop, one that goes
/// silent, one that stops reading. Each is closed within a bounded time, with one log line
/// saying why, and without costing the log (or the other viewers) more than a little. Real
/// Kestrel, a hand-rolled WebSocket client for the misbehaving side (it sends no pings and
/// reads only when told to) and the real SignalR client for the healthy side. The figures go
/// to the test output and to artifacts/hub-abuse.txt.
/// </summary>
public sealed partial class HubAbuseTests(ITestOutputHelper output)
{
    private const int FloodCalls = 3000;

    [Fact]
    public async Task A_flood_of_refused_calls_closes_the_connection_after_a_few_and_logs_one_warning_without_stack_traces()
    {
        var logs = new CapturedLogs();
        // Information and up, as a production node logs (appsettings.json: Default Information, Microsoft.AspNetCore Warning).
        using var server = new BroadcastFactory(new() { ["Logging:LogLevel:Default"] = "Information" }, logs: logs);
        var address = server.ServerAddress;

        // An unknown group, then calls over the rate (Unsubscribe succeeds until the bucket is empty).
        foreach (var (flood, method, region) in new[] { ("unknown group", "Subscribe", "no-such-region"), ("over the call rate", "Unsubscribe", "0") })
        {
            await using var raw = await RawHubClient.ConnectAsync(address);
            var since = DateTime.UtcNow;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var reading = ReadUntilClosedAsync(raw, watch);
            var sent = 0;
            try
            {
                for (; sent < FloodCalls && !reading.IsCompleted; sent++) await raw.InvokeAsync(method, "ppwp", region);
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or IOException or ObjectDisposedException)
            {
                // the server closed the connection under our feet
            }
            var closed = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(10))) == reading;
            var seen = closed ? await reading : default;
            await Task.Delay(200); // anything logged while closing
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu; // server and client: they share the process
            var logged = logs.Since(since);
            Report($"flood of {flood}",
                $"{sent} calls sent; closed by the server: {closed} after {seen.ClosedAt.TotalMilliseconds:0} ms and {seen.Answered} answers " +
                $"({seen.Refused} refusals, last \"{seen.LastError}\"; close message: {seen.CloseMessage ?? "none"}); " +
                $"logged meanwhile: {logged.Count} entries, {logged.Sum(e => e.Bytes)} bytes, {logged.Count(e => e.Level >= LogLevel.Error)} errors, " +
                $"{logged.Count(e => e.Exception is not null)} with a stack trace; CPU used by the test process: {cpuUsed.TotalMilliseconds:0} ms");
            foreach (var entry in logged) output.WriteLine($"  {entry.Level} {entry.Category}[{entry.EventId.Id}] {entry.Message}");

            Assert.True(closed, "the server did not close a connection whose calls it kept refusing");
            Assert.True(seen.ClosedAt < TimeSpan.FromSeconds(5), $"closed only after {seen.ClosedAt}");
            // Refused more than 20 times within 10 s (the defaults); a rate flood also had its 40-call burst answered.
            Assert.InRange(seen.Refused, 1, 21);
            Assert.InRange(seen.Answered, 1, 40 + 21);
            Assert.DoesNotContain(logged, e => e.Level >= LogLevel.Error);
            Assert.DoesNotContain(logged, e => e.Exception is not null);
            Assert.DoesNotContain(logged, e => e.Message.Contains("no-such-region")); // the caller's text stays out of the log
            var warning = Assert.Single(logged, e => e.Level == LogLevel.Warning);
            Assert.Contains("abusive", warning.Message);
            Assert.Contains(flood == "unknown group" ? "unknown-group" : "rate", warning.Message);
            Assert.True(logged.Sum(e => e.Bytes) < 2048, $"{logged.Sum(e => e.Bytes)} bytes logged");
        }
    }

    [Fact]
    public async Task A_viewer_that_sends_nothing_is_dropped_after_the_idle_timeout_and_one_that_pings_is_kept()
    {
        var idleTimeout = TimeSpan.FromSeconds(3);
        var logs = new CapturedLogs();
        using var server = new BroadcastFactory(new()
        {
            ["Viewers:IdleTimeout"] = idleTimeout.ToString(),
            ["Logging:LogLevel:Broadcast.Push"] = "Information",
        }, logs: logs);
        await using var pinging = new HubConnectionBuilder()
            .WithUrl(new Uri(server.ServerAddress, "/hubs/results"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .WithKeepAliveInterval(TimeSpan.FromSeconds(1))
            .Build();
        await pinging.StartAsync();
        await pinging.InvokeAsync<Results.ResultsSnapshot>("Subscribe", "ppwp", "0");
        var pingingSince = Stopwatch.StartNew();

        await using var raw = await RawHubClient.ConnectAsync(server.ServerAddress);
        await raw.CompletionAsync(await raw.InvokeAsync("Subscribe", "ppwp", "0"));
        var silent = Stopwatch.StartNew(); // nothing is sent from here on
        var reading = ReadUntilClosedAsync(raw, silent);
        var closed = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(30))) == reading;
        var seen = closed ? await reading : default;
        var drops = logs.Entries.Where(e => e.Category == "Broadcast.Push.ViewerDrops").ToList();

        // Kept well past the timeout while it pings, and still answered.
        while (pingingSince.Elapsed < 3 * idleTimeout) await Task.Delay(100);
        var stillUp = pinging.State == HubConnectionState.Connected
            && (await pinging.InvokeAsync<Results.ResumeResult>("Resume", "ppwp", "0", 0L)) is not null;

        // SignalR's own client timeout (once a client has pinged) stays behind ours, which logs.
        var signalR = server.Services.GetRequiredService<IOptions<HubOptions<ResultsHub>>>().Value.ClientTimeoutInterval
            ?? server.Services.GetRequiredService<IOptions<HubOptions>>().Value.ClientTimeoutInterval;
        Report("idle viewer", $"IdleTimeout {idleTimeout.TotalSeconds} s: the silent raw client was " +
            (closed ? $"dropped {seen.ClosedAt.TotalSeconds:0.00} s after its last message " : "still connected 30 s after its last message ") +
            $"(close message: {seen.CloseMessage ?? "none, TCP closed"}); a client pinging every 1 s was still connected after {pingingSince.Elapsed.TotalSeconds:0.0} s: {stillUp}; " +
            $"log: {string.Join(" | ", drops.Select(e => e.Message))}");

        Assert.True(closed, "a client that sent nothing was kept for 30 s");
        Assert.InRange(seen.ClosedAt, idleTimeout - TimeSpan.FromMilliseconds(100), idleTimeout + TimeSpan.FromSeconds(2));
        Assert.True(signalR > idleTimeout, $"SignalR's client timeout {signalR} fires before Viewers:IdleTimeout");
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        var line = Assert.Single(drops);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("idle: nothing received for", line.Message);
        Assert.Contains("Viewers:IdleTimeout", line.Message);
        Assert.True(stillUp, "a client that pings was dropped");
    }

    [Fact]
    public async Task A_viewer_that_stops_reading_is_dropped_while_a_healthy_viewer_keeps_receiving()
    {
        var sendTimeout = TimeSpan.FromSeconds(2);
        var logs = new CapturedLogs();
        using var server = new BroadcastFactory(new()
        {
            ["Viewers:SendTimeout"] = sendTimeout.ToString(),
            ["Aggregation:MinRunInterval"] = "00:00:00", // a run (and a delta per group) per batch
            ["Ingest:RequestsPerSecondPerKey"] = "100000",
            ["Logging:LogLevel:Broadcast.Push"] = "Information",
        }, logs: logs);
        var election = BroadcastFactory.Election;

        // The stuck viewer: a 4 KB TCP receive buffer, the national group and 19 provinces.
        await using var stuck = await RawHubClient.ConnectAsync(server.ServerAddress, receiveBufferBytes: 4096);
        foreach (var region in election.Regions.Children[0].Take(19).Select(p => election.Regions.Id[p]).Prepend("0"))
            await stuck.CompletionAsync(await stuck.InvokeAsync("Subscribe", "ppwp", region));
        // From here on it never reads, but it keeps pinging: only its not reading can get it dropped.
        using var stopPinging = new CancellationTokenSource();
        var pings = Task.Run(async () =>
        {
            try
            {
                while (!stopPinging.IsCancellationRequested)
                {
                    await stuck.SendAsync("""{"type":6}""");
                    await Task.Delay(TimeSpan.FromSeconds(1), stopPinging.Token);
                }
            }
            catch (Exception) { } // dropped, or told to stop
        });
        await using var healthy = await Viewer.ConnectAsync(server, Protocols.Json);

        // Forms for every province in each batch, the next batch once the healthy viewer has the
        // last one's delta: a run per batch, so a delta per batch for each of the stuck viewer's
        // 20 groups (about 13 KB a batch), whatever the machine's speed.
        var ingest = server.Ingest();
        var latencies = new List<double>();
        var flood = Stopwatch.StartNew();
        TimeSpan? droppedAt = null;
        var posted = 0;
        foreach (var batch in TestStations.SpreadBatches(3000))
        {
            var response = await ingest.PostAsJsonAsync("/api/v1/forms:batch", batch.Select(s => Forms.Body(s, 3, 4)));
            response.EnsureSuccessStatusCode();
            var seq = (await response.Content.ReadFromJsonAsync<BatchReceipts>())!.Receipts.Max(r => r.Seq);
            var delivered = Stopwatch.StartNew();
            await healthy.WaitForVersionAsync(seq, TimeSpan.FromSeconds(30));
            latencies.Add(delivered.Elapsed.TotalMilliseconds);
            posted++;
            if (droppedAt is null && logs.Entries.Any(e => e.EventId.Id == 424)) droppedAt = flood.Elapsed;
            // Keep going a little after the drop: the healthy viewer must not notice any of it.
            if (droppedAt is { } at && flood.Elapsed - at > TimeSpan.FromSeconds(2)) break;
            if (flood.Elapsed > TimeSpan.FromSeconds(60)) break;
        }
        var latency = latencies.Order().ToArray();
        await stopPinging.CancelAsync();
        await pings;
        var truth = await server.Anonymous().ResultsAsync();
        await healthy.WaitForVersionAsync(truth.Version);
        // The stuck client now reads: its connection is gone (reset), after whatever was still in flight to it.
        var readBefore = stuck.BytesReceived;
        var reading = ReadUntilClosedAsync(stuck, Stopwatch.StartNew());
        var gone = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(20))) == reading;
        var closed = gone ? await reading : default;

        var drops = logs.Entries.Where(e => e.Category == "Broadcast.Push.ViewerDrops").ToList();
        var line = drops.FirstOrDefault(e => e.EventId.Id == 424);
        var figures = line is null ? null : StoppedReadingFigures().Match(line.Message);
        Report("viewer that stopped reading",
            $"SendTimeout {sendTimeout.TotalSeconds} s: dropped {(droppedAt is { } d ? $"{d.TotalSeconds:0.0} s" : "never (within 60 s)")} after the flood began " +
            $"({posted} batches posted), its socket's write waited {figures?.Groups["waited"].Value ?? "?"} s, {figures?.Groups["bytes"].Value ?? "?"} bytes sent to it before the drop; " +
            (gone ? $"reading again, it got {closed.Bytes - readBefore} more bytes before finding its connection closed ({closed.ClosedAt.TotalMilliseconds:0} ms); "
                  : "reading again, its connection was still open 20 s later; ") +
            $"healthy viewer meanwhile: {healthy.Applied} deltas applied, " +
            $"post-to-delta latency p50 {Percentile(latency, 0.5):0} ms, p95 {Percentile(latency, 0.95):0} ms, max {latency[^1]:0} ms; " +
            $"log: {string.Join(" | ", drops.Select(e => e.Message))}");

        Assert.NotNull(droppedAt);
        Assert.True(gone, "the dropped viewer's connection is still open");
        Assert.NotNull(line);
        Assert.Single(drops);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.True(figures!.Success, line.Message);
        var waited = double.Parse(figures.Groups["waited"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(waited, sendTimeout.TotalSeconds, sendTimeout.TotalSeconds + 1.5); // a heartbeat is a second
        Assert.Equal(truth.Version, healthy.Version);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.True(latency[^1] < 5000, $"the healthy viewer waited up to {latency[^1]:0} ms for a delta");
    }

    [Fact]
    public async Task The_filter_logs_an_unexpected_failure_at_error_and_a_refusal_at_debug_then_closes_after_too_many()
    {
        var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var drops = new ViewerDrops(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), TimeProvider.System,
            loggers.CreateLogger<ViewerDrops>());
        var limit = new ViewerCallLimit(Options.Create(new ViewerOptions()), TimeProvider.System, drops, loggers.CreateLogger<ViewerCallLimit>());
        var caller = new FakeCaller();
        var call = new HubInvocationContext(caller, services, new NoHub(), typeof(ResultsHub).GetMethod(nameof(ResultsHub.Subscribe))!, ["ppwp", "x"]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => limit.InvokeMethodAsync(call, _ => throw new InvalidOperationException("a bug")).AsTask());
        await Assert.ThrowsAsync<HubException>(() => limit.InvokeMethodAsync(call, _ => throw new HubException("not one of ours")).AsTask());
        await Assert.ThrowsAsync<HubException>(() => limit.InvokeMethodAsync(call, _ => throw Rejections.Refuse(Rejections.UnknownGroup, "Unknown region 'x'.")).AsTask());

        var errors = logs.Entries.Where(e => e.Level == LogLevel.Error).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("Broadcast.Push.ViewerCallLimit", e.Category));
        Assert.Contains("a bug", errors[0].Exception);
        Assert.Contains("not one of ours", errors[1].Exception);
        var refusal = Assert.Single(logs.Entries, e => e.Level == LogLevel.Debug);
        Assert.Null(refusal.Exception);
        Assert.Contains("unknown-group", refusal.Message);
        Assert.DoesNotContain("'x'", refusal.Message);
        Assert.False(caller.Aborted);

        // 20 refusals within 10 s are tolerated; the 21st closes the connection, with one Warning.
        for (var i = 1; i < 20; i++)
            await Assert.ThrowsAsync<HubException>(() => limit.InvokeMethodAsync(call, _ => throw Rejections.Refuse(Rejections.UnknownGroup, "no")).AsTask());
        Assert.False(caller.Aborted);
        await Assert.ThrowsAsync<HubException>(() => limit.InvokeMethodAsync(call, _ => throw Rejections.Refuse(Rejections.UnknownGroup, "no")).AsTask());
        Assert.True(caller.Aborted);
        Assert.Contains("21 calls refused", Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning).Message);
    }

    private sealed class NoHub : Hub;

    private sealed class FakeCaller : HubCallerContext
    {
        public bool Aborted { get; private set; }
        public override string ConnectionId => "test-connection";
        public override string? UserIdentifier => null;
        public override System.Security.Claims.ClaimsPrincipal? User => null;
        public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
        public override Microsoft.AspNetCore.Http.Features.IFeatureCollection Features { get; } = new Microsoft.AspNetCore.Http.Features.FeatureCollection();
        public override CancellationToken ConnectionAborted => CancellationToken.None;
        public override void Abort() => Aborted = true;
    }

    [Theory]
    [InlineData("Viewers:IdleTimeout", "00:00:00", "Viewers:IdleTimeout must be")]
    [InlineData("Viewers:SendTimeout", "01:00:00", "Viewers:SendTimeout must be")]
    [InlineData("Viewers:MaxRejectedCalls", "0", "Viewers:MaxRejectedCalls must be")]
    [InlineData("Viewers:RejectionWindow", "00:00:00", "Viewers:RejectionWindow must be")]
    public void A_wrong_viewer_limit_stops_the_node_and_names_it(string key, string value, string message)
    {
        using var server = new BroadcastFactory(new Dictionary<string, string?> { [key] = value });
        var error = Assert.ThrowsAny<Exception>(() => server.ServerAddress);
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException) messages.Add(e.Message);
        Assert.Contains(message, string.Join(" | ", messages));
    }

    private readonly record struct Seen(int Answered, int Refused, string? LastError, string? CloseMessage, long Bytes, TimeSpan ClosedAt);

    /// <summary>Reads until the server ends the connection: completions answered and refused, the close message if one came.</summary>
    private static async Task<Seen> ReadUntilClosedAsync(RawHubClient client, Stopwatch clock)
    {
        int answered = 0, refused = 0;
        string? lastError = null, close = null;
        while (await client.ReceiveAsync() is { } message)
        {
            switch (message.GetProperty("type").GetInt32())
            {
                case 3:
                    answered++;
                    if (message.TryGetProperty("error", out var error)) { refused++; lastError = error.GetString(); }
                    break;
                case 7:
                    close = message.GetRawText();
                    break;
            }
        }
        return new Seen(answered, refused, lastError, close, client.BytesReceived, clock.Elapsed);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    [GeneratedRegex(@"has waited (?<waited>[0-9.]+) s .* after (?<bytes>[0-9]+) bytes sent")]
    private static partial Regex StoppedReadingFigures();

    private void Report(string test, string figures)
    {
        var line = $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z {test}: {figures}";
        output.WriteLine(line);
        var artifacts = Path.Combine(LocalCluster.RepoRoot, "artifacts");
        Directory.CreateDirectory(artifacts);
        File.AppendAllText(Path.Combine(artifacts, "hub-abuse.txt"), line + Environment.NewLine);
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Broadcast.IntegrationTests;

/// <summary>
/// SubscribeWith: a viewer says what it needs (headline or full, a rate) and gets only that,
/// conflated when held back, with frames that always chain (issue "Lean fan-out").
/// </summary>
public sealed class LeanFanoutTests(LeanFanoutTests.Server fixture, ITestOutputHelper output) : IClassFixture<LeanFanoutTests.Server>
{
    /// <summary>A server running an aggregation as often as forms come, so a rate cap has something to hold back.</summary>
    public sealed class Server : IDisposable
    {
        public BroadcastFactory Factory { get; } = new(new()
        {
            ["Aggregation:MinRunInterval"] = "00:00:00.020",
            ["Ingest:RequestsPerSecondPerKey"] = "100000",
        });

        public void Dispose() => Factory.Dispose();
    }

    private BroadcastFactory ServerFactory => fixture.Factory;

    /// <summary>Posts a form every <paramref name="every"/> for <paramref name="duration"/>; the highest seq stored.</summary>
    private async Task<long> PostSteadilyAsync(TimeSpan duration, TimeSpan every, Func<string>? station = null)
    {
        var ingest = ServerFactory.Ingest();
        var end = DateTime.UtcNow + duration;
        long seq = 0;
        var n = 0;
        while (DateTime.UtcNow < end)
        {
            seq = Math.Max(seq, (await ingest.PostAsync(Forms.Body((station ?? TestStations.Next)(), 10 + n++ % 7, 20))).Seq);
            await Task.Delay(every);
        }
        return seq;
    }

    [Theory]
    [InlineData(Protocols.MessagePack)]
    [InlineData(Protocols.Json)]
    public async Task AHeadlineViewerGetsTotalsAtMostAtItsRateAndEveryFrameChains(string protocol)
    {
        var (viewer, snapshot) = await LeanViewer.ConnectAsync(ServerFactory, protocol, "ppwp", "0", new SubscribeOptions("headline", 1));
        await using var _ = viewer;
        Assert.Empty(snapshot.Children);

        var last = await PostSteadilyAsync(TimeSpan.FromSeconds(3.5), TimeSpan.FromMilliseconds(50));
        var truth = await ServerFactory.SettledResultsAsync();
        await viewer.WaitForVersionAsync(truth.Version, TimeSpan.FromSeconds(5));

        var frames = viewer.Frames;
        output.WriteLine($"{protocol}: {frames.Count} Headline frames for runs up to seq {last}: " +
            string.Join(", ", frames.Select(f => $"{f.At.TotalMilliseconds:F0} ms {f.PrevVersion}->{f.Version}")));
        Assert.All(frames, f => Assert.Equal("Headline", f.Kind));
        Assert.InRange(frames.Count, 3, 6); // 3.5 s of runs every ~50 ms, at one frame a second (grid-aligned), and the last one
        for (var i = 1; i < frames.Count; i++)
        {
            Assert.Equal(frames[i - 1].Version, frames[i].PrevVersion); // chained: no gap, no resync
            // Rates are aligned to whole seconds: the first frame after subscribing may come just
            // before a grid point, and from then on one per second.
            if (i >= 2) Assert.True(frames[i].At - frames[i - 1].At > TimeSpan.FromMilliseconds(600), $"frames {i - 1} and {i} too close");
        }
        Assert.Equal(snapshot.Version, frames[0].PrevVersion);
        Assert.Equal(0, viewer.Gaps);
        Assert.Equal(truth.Votes, viewer.Votes);
        Assert.Equal(truth.Stations, viewer.Stations);
    }

    /// <summary>Stations of every province in turn (not the ones TestStations hands out), so consecutive forms change different children of the nation.</summary>
    private static Func<string> AcrossProvinces()
    {
        var election = BroadcastFactory.Election;
        var byProvince = Enumerable.Range(0, election.Stations.Count)
            .Where(s => election.Stations.RegisteredVoters[s] >= 250)
            .Where((_, i) => i % 11 == 5)
            .GroupBy(s => election.Regions.SelfAndAncestors(election.Stations.Village[s]).Reverse().Skip(1).First())
            .Select(g => new Queue<int>(g)).ToList();
        var next = 0;
        return () => election.StationId(byProvince[next++ % byProvince.Count].Dequeue());
    }

    [Fact]
    public async Task AFullViewerAtARateGetsCumulativeDeltasWhoseChildrenAddUpToTheReadApi()
    {
        var (viewer, snapshot) = await LeanViewer.ConnectAsync(ServerFactory, Protocols.MessagePack, "ppwp", "0", new SubscribeOptions("full", 2));
        await using var _ = viewer;
        Assert.NotEmpty(snapshot.Children);

        await PostSteadilyAsync(TimeSpan.FromSeconds(2.5), TimeSpan.FromMilliseconds(30), AcrossProvinces());
        var truth = await ServerFactory.SettledResultsAsync();
        await viewer.WaitForVersionAsync(truth.Version, TimeSpan.FromSeconds(5));

        output.WriteLine($"{viewer.Frames.Count} Delta frames at 2/s: children per frame {string.Join(", ", viewer.Frames.Select(f => f.Children))}");
        Assert.InRange(viewer.Frames.Count, 2, 8);
        // Each frame covers every run since the one before: several provinces at once.
        Assert.Contains(viewer.Frames, f => f.Children > 3);
        Assert.Equal(0, viewer.Gaps);
        Assert.Equal(truth.Votes, viewer.Votes);
        foreach (var child in truth.Children)
        {
            var held = viewer.Children[child.Id];
            Assert.Equal((child.Stations, child.Valid, child.Invalid), (held.Stations, held.Valid, held.Invalid));
            Assert.Equal(child.Votes.OrderBy(v => v.Key), held.Votes.OrderBy(v => v.Key));
        }
    }

    [Fact]
    public async Task ADeltaIsPackedWithTheChangedChildAtItsPlaceAsIncrementsAndNoNames()
    {
        var frames = new List<JsonElement>();
        await using var hub = ServerFactory.Hub(Protocols.Json);
        hub.On<JsonElement>("Delta", frame => { lock (frames) frames.Add(frame); });
        await hub.StartAsync();
        var snapshot = await hub.InvokeAsync<ResultsSnapshot>("SubscribeWith", "ppwp", "0", new SubscribeOptions("full", null));

        var station = TestStations.Next();
        var receipt = await ServerFactory.Ingest().PostAsync(Forms.Body(station, 11, 22));
        await ServerFactory.SettledResultsAsync();
        await WaitAsync(() => { lock (frames) return frames.Any(f => f.GetProperty("version").GetInt64() >= receipt.Seq); });

        var frame = frames.Last();
        Assert.Equal(["contest", "packed", "prevVersion", "region", "version"], frame.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(snapshot.Version, frame.GetProperty("prevVersion").GetInt64());
        var regions = BroadcastFactory.Election.Regions;
        var province = regions.Id[regions.SelfAndAncestors(BroadcastFactory.Election.Stations.Village[BroadcastFactory.Election.FindStation(station)!.Value])
            .Reverse().Skip(1).First()];
        var packed = frame.GetProperty("packed").GetBytesFromBase64();
        var (totals, hash, children) = PackedFrame.Read(packed, i => i < snapshot.Children.Count ? snapshot.Children[i].Votes.Count : -1);

        // One child, named by its place in the snapshot, carrying what the form added: the
        // increments of one station of 11 and 22 votes (and no invalid ballots).
        var child = Assert.Single(children);
        Assert.Equal(province, snapshot.Children[child.Index].Id);
        Assert.Equal((false, 1L, 0L, 33L, 0L), (child.Absolute, child.Reported, child.Quarantined, child.Valid, child.Invalid));
        Assert.Equal([11L, 22L], child.Votes);
        Assert.Equal((snapshot.Stations.Reported + 1, snapshot.Valid + 33), (totals.Reported, totals.Valid));
        Assert.Equal(PackedFrame.InOrder(snapshot.Votes).Zip([11L, 22L], (a, b) => a + b), totals.Votes);
        // The chain link of the frame's version, as the read API gives it.
        var truth = await ServerFactory.Anonymous().ResultsAsync();
        if (truth.Version == frame.GetProperty("version").GetInt64()) Assert.Equal(truth.Chain!.Hash, hash);
        Assert.Matches("^[0-9a-f]{64}$", hash);
        output.WriteLine($"one form's Delta of the nation: {packed.Length} packed bytes, {frame.GetRawText().Length} bytes of JSON");
    }

    [Fact]
    public async Task ANationalHeadlineIsAtMost200BytesOnTheWireInMessagePack()
    {
        // 2024-size counts: every station of the country in the totals.
        var headline = new Headline("ppwp", "0", 3_999_999, 4_000_000, PackedFrame.Write(new PackedTotals(822_116, 12_000, 822_116,
            164_227_475, 3_000_000, [40_971_906, 96_214_691, 27_040_878])));
        var protocol = ServerFactory.Services.GetRequiredService<IHubProtocolResolver>().GetProtocol("messagepack", null)!;
        var bytes = protocol.GetMessageBytes(new InvocationMessage("Headline", [headline])).Length;
        var truth = await ServerFactory.Anonymous().ResultsAsync();
        var delta = protocol.GetMessageBytes(new InvocationMessage("TotalsChanged", [new TotalsChanged(truth.Contest, "0", truth.Epoch,
            truth.Version - 1, truth.Version, truth.Stations, truth.Votes, truth.Valid, truth.Invalid, truth.Children)])).Length;
        output.WriteLine($"national headline frame: {bytes} bytes (MessagePack, 2024 pairs and 2024-size counts); a full TotalsChanged with its {truth.Children.Count} children: {delta} bytes");
        Assert.True(bytes <= 200, $"{bytes} bytes");
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition());
    }
}

/// <summary>A viewer whose socket falls behind is held back, not queued for; it catches up with one frame (failure mode 10).</summary>
public sealed class SlowViewerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AViewerWhoseSocketFallsBehindGetsOneFrameFromWhatItHoldsAndNobodyWaitsForIt()
    {
        using var server = new BroadcastFactory(new()
        {
            ["Aggregation:MinRunInterval"] = "00:00:00",
            ["Ingest:RequestsPerSecondPerKey"] = "100000",
            ["Viewers:SendTimeout"] = "00:00:30", // it stops reading for a while, not for good
        });
        var election = BroadcastFactory.Election;
        // The slow viewer: a 4 KB TCP receive buffer, full deltas of the nation and 19 provinces, no rate cap.
        await using var slow = await RawHubClient.ConnectAsync(server.ServerAddress, receiveBufferBytes: 4096);
        var groups = election.Regions.Children[0].Take(19).Select(p => election.Regions.Id[p]).Prepend("0").ToList();
        var held = new Dictionary<string, long>();
        foreach (var group in groups)
        {
            var snapshot = await slow.CompletionAsync(await slow.InvokeAsync("SubscribeWith", "ppwp", group, new { view = "full" }));
            held[group] = snapshot.GetProperty("result").GetProperty("version").GetInt64();
        }
        var (healthy, _) = await LeanViewer.ConnectAsync(server, Protocols.MessagePack, "ppwp", "0", new SubscribeOptions("full", null));
        await using var __ = healthy;

        // It stops reading while runs change all its groups, batch after batch (a run per batch).
        var ingest = server.Ingest();
        var latencies = new List<double>();
        var runs = 0;
        var pause = System.Diagnostics.Stopwatch.StartNew();
        foreach (var batch in TestStations.SpreadBatches(400))
        {
            var response = await ingest.PostAsJsonAsync("/api/v1/forms:batch", batch.Select(s => Forms.Body(s, 3, 4)));
            response.EnsureSuccessStatusCode();
            var seq = (await response.Content.ReadFromJsonAsync<Ingest.BatchReceipts>())!.Receipts.Max(r => r.Seq);
            var delivered = System.Diagnostics.Stopwatch.StartNew();
            await healthy.WaitForVersionAsync(seq, TimeSpan.FromSeconds(30));
            latencies.Add(delivered.Elapsed.TotalMilliseconds);
            runs++;
            if (pause.Elapsed > TimeSpan.FromSeconds(3)) break;
        }
        var truth = await server.Anonymous().ResultsAsync();

        // Then it reads again: per group a few frames, each starting where it stood (no gap), up to the latest.
        var frames = 0;
        var bytesBefore = slow.BytesReceived;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (held["0"] < truth.Version && await slow.ReceiveAsync(timeout.Token) is { } message)
        {
            if (message.GetProperty("type").GetInt32() != 1 || message.GetProperty("target").GetString() != "Delta") continue;
            var frame = message.GetProperty("arguments")[0];
            var group = frame.GetProperty("region").GetString()!;
            Assert.True(frame.GetProperty("prevVersion").GetInt64() == held[group], $"a frame of {group} not starting at the version it held");
            held[group] = frame.GetProperty("version").GetInt64();
            frames++;
        }
        var sorted = latencies.Order().ToArray();
        output.WriteLine($"slow viewer: {runs} runs changed its 20 groups while it did not read ({runs * 20} deltas had it kept up); " +
            $"when it read again it got {frames} Delta frames, {slow.BytesReceived - bytesBefore:N0} bytes, and was at the latest version with no gap; " +
            $"the healthy viewer meanwhile: delivery after each run p50 {sorted[sorted.Length / 2]:F0} ms, p99 {sorted[(int)(sorted.Length * 0.99)]:F0} ms, max {sorted[^1]:F0} ms");
        Assert.Equal(truth.Version, held["0"]);
        Assert.True(runs >= 10, $"only {runs} runs");
        // Without conflation it would have been sent every run's delta for every group.
        Assert.True(frames < runs * 20 / 2, $"{frames} frames for {runs} runs x 20 groups");
        Assert.Equal(0, healthy.Gaps);
    }
}

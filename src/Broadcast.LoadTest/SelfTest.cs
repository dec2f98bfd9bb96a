using System.Buffers;
using System.Net.Http.Headers;
using Broadcast.Replay;
using Broadcast.Results;
using MessagePack;

namespace Broadcast.LoadTest;

/// <summary>
/// <c>--self-test</c>: the generator's own parsing and decoding, checked on crafted input (the
/// generator is not part of the solution's test run, and must be right before it measures).
/// </summary>
public static class SelfTest
{
    public static int Run(LoadOptions options, TextWriter o)
    {
        var failures = 0;
        var passed = 0;
        void Check(bool ok, string what)
        {
            if (ok) passed++; else { failures++; o.WriteLine($"FAIL {what}"); }
        }

        // --mix: the issue's mix, round trip, legacy form, --legacy.
        var mix = AudienceMix.Parse("ticker:national:60:headline:1,province:province:30:full,regency:regency:10:full,slow:national:1:full:read=2:poll=10s");
        Check(mix.Audiences.Length == 4, "mix: four audiences");
        Check(mix.Audiences[0] is { Name: "ticker", Level: GroupLevel.National, View: ViewKind.Headline, MaxPerSecond: 1 }, "mix: ticker");
        Check(mix.Audiences[1] is { Level: GroupLevel.Province, View: ViewKind.Full, MaxPerSecond: null }, "mix: province full uncapped");
        Check(mix.Audiences[3] is { ReadBytesPerSecond: 2048 } && mix.Audiences[3].Poll == TimeSpan.FromSeconds(10), "mix: read= and poll=");
        Check(AudienceMix.Parse(mix.ToString()) == mix || AudienceMix.Parse(mix.ToString()).ToString() == mix.ToString(), "mix: round trip");
        var old = AudienceMix.Parse("national=0.6,province=0.3,regency=0.1");
        Check(old.Audiences.Length == 3 && old.Audiences.All(a => a.View == ViewKind.Legacy) && old.Audiences[2].Level == GroupLevel.Regency, "mix: level=weight");
        Check(mix.AsLegacy().Audiences.All(a => a.View == ViewKind.Legacy && a.MaxPerSecond is null), "mix: --legacy");
        Check(Throws(() => AudienceMix.Parse("a:national:1:legacy:2")), "mix: a cap needs SubscribeWith");
        Check(Throws(() => AudienceMix.Parse("a:planet:1:full")), "mix: unknown level");
        var counts = new int[4];
        var random = new Random(1);
        for (var i = 0; i < 10_000; i++) counts[mix.Pick(random)]++;
        Check(Math.Abs(counts[0] - 5940) < 300 && Math.Abs(counts[2] - 990) < 150, $"mix: weights ({string.Join(",", counts)})");
        var parsed = LoadOptions.Parse(["--duration", "1s", "--mix", "t:national:1:headline:1", "--legacy"]);
        Check(parsed.Mix.Audiences[0].View == ViewKind.Legacy, "options: --legacy applies to the mix");

        // Subscribe and SubscribeWith invocations.
        var subscribeWith = HubFrames.SubscribeFor("ppwp", "25823", ViewKind.Headline, 1);
        Check(HubFrames.TryReadLength(subscribeWith, out var length, out var prefix) && prefix + length == subscribeWith.Length, "SubscribeWith: length prefix");
        var r = new MessagePackReader(subscribeWith.AsMemory(prefix));
        Check(r.ReadArrayHeader() == 6 && r.ReadInt32() == 1 && r.ReadMapHeader() == 0 && r.ReadString() == "1" && r.ReadString() == "SubscribeWith"
              && r.ReadArrayHeader() == 3 && r.ReadString() == "ppwp" && r.ReadString() == "25823" && r.ReadMapHeader() == 2
              && r.ReadString() == "view" && r.ReadString() == "headline" && r.ReadString() == "maxPerSecond" && r.ReadDouble() == 1.0,
            "SubscribeWith: [1, {}, \"1\", \"SubscribeWith\", [contest, group, {view, maxPerSecond}], []]");
        var legacy = HubFrames.SubscribeFor("ppwp", "0", ViewKind.Legacy, null);
        Check(legacy.AsSpan().SequenceEqual(HubFrames.Subscribe("ppwp", "0")), "Subscribe: legacy view");
        var uncapped = HubFrames.SubscribeFor("ppwp", "0", ViewKind.Full, null);
        r = new MessagePackReader(uncapped.AsMemory(1));
        r.ReadArrayHeader(); r.Skip(); r.Skip(); r.Skip(); r.Skip(); r.ReadArrayHeader(); r.Skip(); r.Skip(); r.ReadMapHeader();
        Check(r.ReadString() == "view" && r.ReadString() == "full" && r.ReadString() == "maxPerSecond" && r.TryReadNil(), "SubscribeWith: maxPerSecond nil");

        // Pushes: the target names the kind; version and prevVersion are read wherever they sit in the map.
        foreach (var (target, kind) in new[] { ("TotalsChanged", UpdateKind.TotalsChanged), ("Delta", UpdateKind.Delta), ("Headline", UpdateKind.Headline) })
        {
            var message = Invocation(target, (ref MessagePackWriter w) =>
            {
                w.WriteMapHeader(7);
                w.Write("contest"); w.Write("ppwp");
                w.Write("region"); w.Write("0");
                w.Write("epoch"); w.Write("k3j9x2");
                w.Write("prevVersion"); w.Write(120L);
                w.Write("version"); w.Write(123L);
                w.Write("votes"); w.WriteMapHeader(1); w.Write("01"); w.Write(5021L);
                w.Write("children"); w.WriteArrayHeader(2);
                w.WriteMapHeader(2); w.Write("id"); w.Write("1"); w.Write("valid"); w.Write(7L);
                w.WriteMapHeader(1); w.Write("id"); w.Write("2");
            });
            var frame = HubFrames.Parse(message);
            Check(frame is { Kind: FrameKind.Update, Version: 123, PrevVersion: 120 } && frame.Update == kind, $"parse {target}");
            Check(FrameSizes.ChildrenOf(message) == 2, $"children of {target}");
            var head = HubFrames.Parse(message[..40]);
            Check(head.Kind == FrameKind.Update && head.Update == kind, $"parse {target}: a head cut short keeps its kind");
        }
        Check(HubFrames.Parse(Invocation("TotalsRebuilt", (ref MessagePackWriter w) => { w.WriteMapHeader(1); w.Write("epoch"); w.Write("x"); })).Kind == FrameKind.Rebuilt, "parse TotalsRebuilt");
        Check(HubFrames.Parse(Invocation("Other", (ref MessagePackWriter w) => w.WriteNil())).Kind == FrameKind.OtherInvocation, "parse an unknown target");

        // Histogram: sizes within 3 %, merged over processes through its data.
        var h = new Histogram();
        for (var v = 1; v <= 1000; v++) h.Record(v * 10);
        Check(Math.Abs(h.Percentile(50) - 5000) / 5000 < 0.04 && Math.Abs(h.Percentile(99) - 9900) / 9900 < 0.04, $"histogram p50 {h.Percentile(50)} p99 {h.Percentile(99)}");
        var merged = Histogram.From(h.ToData());
        merged.Merge(Histogram.From(h.ToData()));
        Check(merged.Count == 2000 && merged.Max == 10_000 && Math.Abs(merged.Sizes().Mean - 5005) < 1, "histogram: merge through HistogramData");
        Parallel.For(0, 8, _ => { for (var i = 0; i < 10_000; i++) h.Record(1); });
        Check(h.Count == 81_000, "histogram: concurrent records");

        // ETags: the version of "epoch.version", weak or not.
        Check(Pollers.VersionOf(new EntityTagHeaderValue("\"k3j9x2.123\"")) == 123, "ETag version");
        Check(Pollers.VersionOf(new EntityTagHeaderValue("\"k3j9x2.77\"", isWeak: true)) == 77, "weak ETag version");

        // Counting stream: both directions, only in the window when a schedule is given.
        var counter = new WireCounter(null);
        using (var stream = new CountingStream(new MemoryStream(new byte[100]), counter))
        {
            var buffer = new byte[64];
            _ = stream.Read(buffer, 0, 64);
            _ = stream.ReadAsync(buffer.AsMemory()).AsTask().Result;
        }
        Check(counter.Read == 100, $"counting stream read {counter.Read}");
        var outside = new WireCounter(new Schedule(Schedule.Now + Schedule.Ticks(TimeSpan.FromHours(1)), TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        outside.CountRead(10);
        Check(outside.Read == 0, "counting stream: nothing outside the window");

        // Stations and villages; the region tree when the data is there.
        Check(StationForms.VillageOf("25830.2") == 25830 && StationForms.VillageOf("-991304.1") == -991304, "village of a station");
        Check(FrameSizes.WebSocketHeader(125) == 2 && FrameSizes.WebSocketHeader(126) == 4 && FrameSizes.WebSocketHeader(70_000) == 10, "WebSocket header sizes");
        try
        {
            var regions = Path.Combine(Path.GetDirectoryName(options.ResolveDataPath())!, "regions.csv.gz");
            var tree = RegionTree.Load(regions);
            // 25830 PULAU TIDUNG < 25829 (district) < 25824 KEPULAUAN SERIBU < 25823 DKI JAKARTA.
            Check(tree.Subtree(25823).Contains(25830) && tree.Subtree(25824).Contains(25830), "region tree: a village is under its province and regency");
            Check(!tree.Subtree(25824).Contains(25823), "region tree: a province is not under its regency");
        }
        catch (FileNotFoundException)
        {
            o.WriteLine("(region tree not checked: no data)");
        }

        // A verifying viewer: snapshot, a Delta merging one child's changed fields, a conflated frame, a gap.
        var state = new GroupState();
        state.OnSnapshot(Completion((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(8);
            w.Write("epoch"); w.Write("e");
            w.Write("version"); w.Write(10L);
            w.Write("stations"); Stations(ref w, 5, 0);
            w.Write("votes"); Votes(ref w, 10, 20);
            w.Write("valid"); w.Write(30L);
            w.Write("invalid"); w.Write(1L);
            w.Write("region"); w.WriteMapHeader(1); w.Write("id"); w.Write("0");
            w.Write("children"); w.WriteArrayHeader(2);
            foreach (var (id, a, b) in new[] { ("1", 4L, 5L), ("2", 6L, 15L) })
            {
                w.WriteMapHeader(6);
                w.Write("id"); w.Write(id);
                w.Write("name"); w.Write("N" + id);
                w.Write("stations"); Stations(ref w, 2, 0);
                w.Write("votes"); Votes(ref w, a, b);
                w.Write("valid"); w.Write(a + b);
                w.Write("invalid"); w.Write(0L);
            }
        }));
        state.OnUpdate(Invocation("Delta", (ref MessagePackWriter w) => Packed(ref w, 10, 12, PackedFrame.Write(
            new PackedTotals(6, 0, 100, 33, 1, [13, 20]), null,
            [new PackedChild(0, Absolute: false, Reported: 1, Quarantined: 0, Valid: 3, Invalid: 0, Votes: [3, 0])]))), UpdateKind.Delta);
        using (var truth = System.Text.Json.JsonDocument.Parse("""
            {"version":12,"stations":{"reported":6,"quarantined":0},"votes":{"01":13,"02":20},"valid":33,"invalid":1,
             "children":[{"id":"1","stations":{"reported":3,"quarantined":0},"votes":{"01":7,"02":5},"valid":12,"invalid":0},
                         {"id":"2","stations":{"reported":2,"quarantined":0},"votes":{"01":6,"02":15},"valid":21,"invalid":0}]}
            """))
        {
            Check(state is { Broken: null, Version: 12, Applied: 1 }, $"verify: a packed Delta applies ({state.Broken})");
            Check(state.Compare(truth.RootElement, headline: false) is null, $"verify: the Delta's increments equal the read API ({state.Compare(truth.RootElement, false)})");
            state.Children["2"].Valid++;
            Check(state.Compare(truth.RootElement, headline: false) is not null, "verify: a differing child is found");
            Check(state.Compare(truth.RootElement, headline: true) is null, "verify: a headline compares the totals only");
        }
        state.OnUpdate(Invocation("Delta", (ref MessagePackWriter w) => Packed(ref w, 14, 15, PackedFrame.Write(
            new PackedTotals(7, 0, 100, 34, 1, [14, 20]), null, []))), UpdateKind.Delta);
        Check(state.Broken is not null && state.Version == 12, "verify: a gap breaks the state");

        o.WriteLine($"{passed} passed, {failures} failed");
        return failures == 0 ? 0 : 1;
    }

    private static bool Throws(Action a)
    {
        try { a(); return false; }
        catch (ArgumentException) { return true; }
    }

    /// <summary>[1, {}, nil, target, [argument], []] as the server sends a push (no length prefix).</summary>
    private delegate void Argument(ref MessagePackWriter w);

    /// <summary>A packed frame of the group "0": [contest, region, prevVersion, version, packed].</summary>
    private static void Packed(ref MessagePackWriter w, long prevVersion, long version, byte[] packed)
    {
        w.WriteArrayHeader(5);
        w.Write("ppwp");
        w.Write("0");
        w.Write(prevVersion);
        w.Write(version);
        w.Write(packed);
    }

    private static void Stations(ref MessagePackWriter w, long reported, long quarantined)
    {
        w.WriteMapHeader(3);
        w.Write("total"); w.Write(100L);
        w.Write("reported"); w.Write(reported);
        w.Write("quarantined"); w.Write(quarantined);
    }

    private static void Votes(ref MessagePackWriter w, long a, long b)
    {
        w.WriteMapHeader(2);
        w.Write("01"); w.Write(a);
        w.Write("02"); w.Write(b);
    }

    /// <summary>[3, {}, "1", 3, result]: a subscribe answer.</summary>
    private static byte[] Completion(Argument result)
    {
        var body = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(body);
        w.WriteArrayHeader(5);
        w.Write(3);
        w.WriteMapHeader(0);
        w.Write("1");
        w.Write(3);
        result(ref w);
        w.Flush();
        return body.WrittenSpan.ToArray();
    }

    private static byte[] Invocation(string target, Argument argument)
    {
        var body = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(body);
        w.WriteArrayHeader(5);
        w.Write(1);
        w.WriteMapHeader(0);
        w.WriteNil();
        w.Write(target);
        w.WriteArrayHeader(1);
        argument(ref w);
        w.Flush();
        return body.WrittenSpan.ToArray();
    }
}

using System.Globalization;

namespace Broadcast.LoadTest;

/// <summary>The final table on stdout.</summary>
public static class ReportPrinter
{
    public static void Print(LoadReport r, TextWriter o)
    {
        void Row(string what, FormattableString value) => o.WriteLine($"{what,-48} {value.ToString(CultureInfo.InvariantCulture)}");
        static string Ms(Percentiles p) => string.Create(CultureInfo.InvariantCulture,
            $"p50 {p.P50:N1}, p95 {p.P95:N1}, p99 {p.P99:N1}, max {p.Max:N1} ms ({p.Samples:N0} samples)");

        o.WriteLine();
        Row("servers", $"{r.Servers}");
        Row("viewers requested / processes / mix", $"{r.Connections:N0} / {r.Processes} / {r.Mix}");
        Row("ramp / measured window", $"{r.RampSeconds:F0} s / {r.WindowSeconds:F0} s");
        Row("connections held at window start / end", $"{r.HeldAtWindowStart:N0} / {r.HeldAtEnd:N0}");
        Row("deliveries in window, per second", $"{r.WindowDeliveries:N0}, {r.DeliveriesPerSecond:N0}/s");
        var origin = r.Origin;
        Row($"origin ({origin.Mode}): requests/s, bytes/s", $"{origin.RequestsPerSecond:N1}/s, {origin.BytesPerSecond / 1024:N1} KB/s on the wire, {origin.BodyBytesPerSecond / 1024:N1} KB/s {(r.Polling ? "bodies" : "hub messages")} ({origin.Errors:N0} errors)");
        if (origin.OriginRequests >= 0)
            Row("  through the proxy: origin requests, bytes", $"{origin.OriginRequests:N0} ({origin.OriginRequestsPerSecond:N1}/s), {origin.UpstreamBytesPerSecond / 1024:N1} KB/s from the origin");
        if (r.Ingest is { } i)
        {
            Row("ingest target", $"{i.FormsPerSecond:N0} forms/s in batches of {i.Batch}");
            Row("forms accepted, per second", $"{i.FormsAccepted:N0}, {r.FormsAcceptedPerSecond:N0}/s");
            Row("receipts", $"{string.Join(", ", i.Statuses.Select(s => $"{s.Key} {s.Value:N0}"))}");
            Row("requests due / sent / skipped / unfinished", $"{i.RequestsDue:N0} / {i.RequestsSent:N0} / {i.RequestsSkipped:N0} / {i.RequestsUnfinished:N0}");
            Row("ingest HTTP latency (from scheduled start)", $"{Ms(i.HttpLatencyMs)}");
            foreach (var (error, n) in i.Errors) Row("  ingest error", $"{n:N0} x {error}");
        }
        if (r.Audiences is { Length: > 0 } audiences)
            PrintAudiences(audiences, r.Polling, o);
        var l = r.Latency;
        Row("form accepted -> first national audience", $"{Ms(l.LatencyMs)}");
        Row("  probe viewers / unmatched / push first", $"{l.ProbeViewers:N0} / {l.Unmatched:N0} / {l.DeltaBeforeReceipt:N0}");
        Row("fan-out spread (first probe -> each probe)", $"{Ms(l.FanOutSpreadMs)}");
        var s = r.Server;
        if (s.Pid is not null)
        {
            var many = s.Pids.Length > 1 ? $" ({s.Pids.Length} processes, summed)" : "";
            Row("server CPU in window" + many, $"{s.CpuSecondsInWindow:F2} s ({s.CpuSecondsInWindow / r.WindowSeconds:F2} cores)");
            Row("server CPU per 1,000 frames / 1,000 forms", $"{s.CpuMsPer1000Frames:F1} ms / {s.CpuMsPer1000Forms:F1} ms");
            Row("server RSS before / after viewers" + many, $"{s.RssKbBeforeViewers / 1024.0:N0} MB / {s.RssKbAfterViewers / 1024.0:N0} MB");
            Row("server RSS per connection (added / total)", $"{s.RssKbPerConnection:F1} KB / {s.TotalRssKbPerConnection:F1} KB");
            if (s.Nodes.Length > 1)
                foreach (var n in s.Nodes)
                    Row($"  pid {n.Pid}", $"CPU {n.CpuSecondsInWindow:F1} s, RSS {n.RssKbBeforeViewers / 1024.0:N0} -> {n.RssKbAfterViewers / 1024.0:N0} -> {n.RssKbWindowEnd / 1024.0:N0} MB");
        }
        if (r.Metrics is { } m)
        {
            static string Buckets(BucketSummary b) => string.Create(CultureInfo.InvariantCulture,
                $"p50 ~{b.P50Ms:N0}, p95 ~{b.P95Ms:N0}, p99 ~{b.P99Ms:N0} ms, highest bucket <= {b.MaxBucketMs:N0} ms, mean {b.MeanMs:N0} ms ({b.Count:N0})");
            Row("aggregation enqueue -> start (server histogram)", $"{Buckets(m.QueueWait)}");
            Row("aggregation run duration (server histogram)", $"{Buckets(m.RunDuration)}");
            Row("deltas published (all nodes), per second", $"{m.DeltasPublishedInWindow:N0}, {m.DeltasPublishedPerSecond:N0}/s");
            foreach (var n in m.Nodes)
                Row($"  {n.Server}", $"runs {n.Runs:N0}, queue waits {n.QueueWaits:N0}, deltas {n.DeltasPublished:N0}, hub connections {n.HubConnections:N0}");
        }
        Row("errors: connect / subscribe / closed / dropped", $"{r.ConnectFailures:N0} / {r.SubscribeFailures:N0} / {r.ServerCloses:N0} / {r.Drops:N0}");
        Row("delta gaps / stale, close msgs, rebuilds", $"{r.Gaps:N0} / {r.Stale:N0}, {r.CloseMessages:N0}, {r.Rebuilds:N0}");
        Row("generator CPU (all processes), peak RSS", $"{r.GeneratorCpuSeconds:F1} s, {r.MaxGeneratorRssKb / 1024.0:N0} MB per process");
        foreach (var (reason, n) in r.Failures.OrderByDescending(f => f.Value).Take(10)) Row("  failure", $"{n:N0} x {reason}");
    }

    private static void PrintAudiences(AudienceFigures[] audiences, bool polling, TextWriter o)
    {
        static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        o.WriteLine();
        foreach (var a in audiences)
        {
            o.WriteLine(F($"audience {a.Description}"));
            o.WriteLine(F($"  viewers {a.Viewers:N0}, held at window start / end {a.HeldAtWindowStart:N0} / {a.HeldAtEnd:N0}"));
            if (polling)
            {
                o.WriteLine(F($"  requests {a.RequestsPerSecond:N1}/s (200: {a.Ok:N0}, 304: {a.NotModified:N0}, errors {a.PollErrors:N0}, polls skipped while late {a.PollsMissed:N0}); bodies {a.BodyBytesPerSecond / 1024:N1} KB/s, wire {a.WireBytesPerSecond / 1024:N1} KB/s in, {a.WireBytesWrittenPerSecond / 1024:N1} KB/s out; {a.WireBytesPerRequest:N0} B per request on the wire"));
            }
            else
            {
                o.WriteLine(F($"  frames {a.FramesPerSecond:N0}/s ({a.FramesPerViewerPerSecond:N2} per viewer per second; TotalsChanged {a.TotalsChanged:N0}, Delta {a.Deltas:N0}, Headline {a.Headlines:N0})"));
                o.WriteLine(F($"  frame size (hub message) mean {a.FrameSizes.Mean:N0} B, p50 {a.FrameSizes.P50:N0}, p99 {a.FrameSizes.P99:N0}, max {a.FrameSizes.Max:N0}; on the wire {a.WireBytesPerFrame:N0} B per frame, {a.WireBytesPerSecond / 1024:N1} KB/s in, {a.WireBytesWrittenPerSecond / 1024:N1} KB/s out"));
                o.WriteLine(F($"  gaps {a.Gaps:N0}, stale {a.Stale:N0}, conflated (overlapping) {a.Overlaps:N0}"));
                if (a.Verified + a.VerifyFailed > 0)
                    o.WriteLine(F($"  verified: {a.Verified:N0} of {a.Verified + a.VerifyFailed:N0} viewers applying every frame hold what the read API serves ({a.VerifyApplied:N0} frames applied)"));
            }
            var l = a.Latency;
            if (l.ProbeViewers > 0)
                o.WriteLine(F($"  form -> screen p50 {l.LatencyMs.P50:N0}, p95 {l.LatencyMs.P95:N0}, p99 {l.LatencyMs.P99:N0}, max {l.LatencyMs.Max:N0} ms ({l.LatencyMs.Samples:N0} samples, {l.ProbeViewers} probes, {l.Unmatched:N0} unmatched)"));
            if (a.BareLatencyMs is { } b)
                o.WriteLine(F($"  send -> received p50 {b.P50:N1}, p95 {b.P95:N1}, p99 {b.P99:N1}, max {b.Max:N1} ms ({b.Samples:N0} frames)"));
        }
        o.WriteLine();
    }
}

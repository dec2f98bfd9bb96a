namespace Broadcast.LoadTest;

/// <summary>
/// Matches receipts with the deltas probe viewers received: a form with seq s is visible to a viewer
/// at the first delta with version &gt;= s (a version is the last seq an aggregation run folded in).
/// Done per viewer process into its own histogram; the histograms are merged.
/// </summary>
public static class LatencyMatcher
{
    public static LatencyReport Match(Accepted[] receipts, IEnumerable<ViewerReport> processes)
    {
        var merged = new Histogram();
        long probes = 0, unmatched = 0, early = 0;
        foreach (var process in processes)
        {
            var histogram = new Histogram();
            foreach (var arrivals in process.Probes)
            {
                probes++;
                MatchProbe(receipts, arrivals, histogram, ref unmatched, ref early);
            }
            merged.Merge(histogram);
        }
        return new LatencyReport(merged.Summary(), probes, unmatched, early, Spread(processes));
    }

    /// <summary>
    /// The fan-out's spread: for each delta version, each probe's arrival after the first probe's
    /// arrival of that version (probes sit on every node and in every process, on one clock). The
    /// deltas carry no server timestamp, so this stands in for "aggregation run → received"
    /// minus the first hop (run publish → the fastest probe).
    /// </summary>
    private static Percentiles Spread(IEnumerable<ViewerReport> processes)
    {
        var first = new Dictionary<long, long>();
        foreach (var arrivals in processes.SelectMany(p => p.Probes))
            for (var i = 0; i + 1 < arrivals.Length; i += 2)
                first[arrivals[i]] = first.TryGetValue(arrivals[i], out var t) ? Math.Min(t, arrivals[i + 1]) : arrivals[i + 1];
        var spread = new Histogram();
        foreach (var arrivals in processes.SelectMany(p => p.Probes))
            for (var i = 0; i + 1 < arrivals.Length; i += 2)
                spread.Record(Schedule.Micros(arrivals[i + 1] - first[arrivals[i]]));
        return spread.Summary();
    }

    private static void MatchProbe(Accepted[] receipts, long[] arrivals, Histogram into, ref long unmatched, ref long early)
    {
        var n = arrivals.Length / 2;
        var versions = new long[n];
        var times = new long[n];
        for (var i = 0; i < n; i++)
            (versions[i], times[i]) = (arrivals[2 * i], arrivals[2 * i + 1]);
        // Deltas normally arrive in version order; sorting and a suffix minimum keep the answer right
        // ("earliest arrival of any version >= s") even when they do not.
        Array.Sort(versions, times);
        for (var i = n - 2; i >= 0; i--)
            times[i] = Math.Min(times[i], times[i + 1]);
        foreach (var receipt in receipts)
        {
            var at = LowerBound(versions, receipt.Seq);
            if (at == n)
            {
                unmatched++;
                continue;
            }
            var latency = times[at] - receipt.At;
            if (latency < 0)
                early++; // the push overtook the HTTP answer: counted as zero
            into.Record(Schedule.Micros(latency));
        }
    }

    private static int LowerBound(long[] sorted, long value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}

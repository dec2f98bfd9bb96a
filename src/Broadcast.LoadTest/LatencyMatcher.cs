using Broadcast.Replay;

namespace Broadcast.LoadTest;

/// <summary>
/// Matches receipts with the frames (or polls) probe viewers received: a form with seq s is
/// visible to a viewer of a group that holds its station at the first frame with version &gt;= s
/// (a version is the last seq an aggregation run folded in). A probe of a province or regency
/// group is matched only with the forms of its group (the region tree says which those are).
/// Done per audience into its own histogram.
/// </summary>
public sealed class LatencyMatcher
{
    private readonly Accepted[] _receipts;
    private readonly RegionTree? _tree;
    private readonly Dictionary<string, Accepted[]> _byGroup = new(StringComparer.Ordinal);

    public LatencyMatcher(Accepted[] receipts, RegionTree? tree)
    {
        _receipts = receipts;
        _tree = tree;
        _byGroup[RegionCatalog.National] = receipts;
    }

    /// <summary>One report per audience, in the mix's order.</summary>
    public LatencyReport[] Match(IReadOnlyList<ViewerReport> processes, AudienceMix mix)
    {
        var reports = new LatencyReport[mix.Audiences.Length];
        for (var a = 0; a < reports.Length; a++)
        {
            var histogram = new Histogram();
            long probes = 0, unmatched = 0, early = 0, receipts = 0;
            var spread = new Histogram();
            var first = new Dictionary<(string, long), long>();
            foreach (var process in processes)
            {
                for (var p = 0; p < process.Probes.Length; p++)
                {
                    if (AudienceOf(process, p) != a) continue;
                    probes++;
                    var group = GroupOf(process, p);
                    var forms = Receipts(group);
                    receipts += forms.Length;
                    MatchProbe(forms, process.Probes[p], histogram, ref unmatched, ref early);
                    var arrivals = process.Probes[p];
                    for (var i = 0; i + 1 < arrivals.Length; i += 2)
                        first[(group, arrivals[i])] = first.TryGetValue((group, arrivals[i]), out var t) ? Math.Min(t, arrivals[i + 1]) : arrivals[i + 1];
                }
            }
            // The fan-out's spread: for each (group, version), each probe's arrival after the first probe's.
            foreach (var process in processes)
                for (var p = 0; p < process.Probes.Length; p++)
                {
                    if (AudienceOf(process, p) != a) continue;
                    var group = GroupOf(process, p);
                    var arrivals = process.Probes[p];
                    for (var i = 0; i + 1 < arrivals.Length; i += 2)
                        spread.Record(Schedule.Micros(arrivals[i + 1] - first[(group, arrivals[i])]));
                }
            reports[a] = new LatencyReport(histogram.Summary(), probes, unmatched, early, spread.Summary(), receipts);
        }
        return reports;
    }

    /// <summary>Reports from before audiences existed have probes only in the first audience (national).</summary>
    private static int AudienceOf(ViewerReport process, int probe) =>
        process.ProbeAudiences is { } a && probe < a.Length ? a[probe] : 0;

    private static string GroupOf(ViewerReport process, int probe) =>
        process.ProbeGroups is { } g && probe < g.Length ? g[probe] : RegionCatalog.National;

    private Accepted[] Receipts(string group)
    {
        if (_byGroup.TryGetValue(group, out var cached)) return cached;
        var under = _tree?.Subtree(long.Parse(group, System.Globalization.CultureInfo.InvariantCulture));
        var forms = under is null ? [] : _receipts.Where(r => under.Contains(r.Village)).ToArray();
        _byGroup[group] = forms;
        return forms;
    }

    private static void MatchProbe(Accepted[] receipts, long[] arrivals, Histogram into, ref long unmatched, ref long early)
    {
        var n = arrivals.Length / 2;
        var versions = new long[n];
        var times = new long[n];
        for (var i = 0; i < n; i++)
            (versions[i], times[i]) = (arrivals[2 * i], arrivals[2 * i + 1]);
        // Frames normally arrive in version order; sorting and a suffix minimum keep the answer right
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

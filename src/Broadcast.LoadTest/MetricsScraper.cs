using System.Globalization;

namespace Broadcast.LoadTest;

/// <summary>One node's Prometheus text at one moment: value per series name (labels other than <c>le</c> summed away).</summary>
public sealed record MetricsSample(Dictionary<string, double> Values)
{
    public double Get(string key) => Values.GetValueOrDefault(key);
}

/// <summary>A server histogram over an interval, from the difference of two scrapes; quantiles interpolated within buckets.</summary>
public sealed record BucketSummary(long Count, double MeanMs, double P50Ms, double P95Ms, double P99Ms, double MaxBucketMs);

/// <summary>Per node: runs done, deltas published and connections (the gauge at the end).</summary>
public sealed record NodeMetrics(string Server, long Runs, long QueueWaits, double DeltasPublished, double HubConnections);

/// <summary>What the nodes' /metrics said about the run (docs/deploying.md lists the instruments).</summary>
public sealed record MetricsReport(
    BucketSummary QueueWait, BucketSummary RunDuration, double DeltasPublishedInWindow, double DeltasPublishedPerSecond,
    NodeMetrics[] Nodes);

/// <summary>
/// Scrapes GET /metrics of every --server: at window start, window end and after the drain. Histograms
/// (aggregation queue wait = Hangfire enqueue → start, run duration) are taken from window start to
/// after the drain, so runs triggered by the window's last forms count; deltas per second over the window.
/// </summary>
public sealed class MetricsScraper(Uri[] servers) : IDisposable
{
    public const string QueueWait = "broadcast_aggregation_queue_wait_seconds";
    public const string RunDuration = "broadcast_aggregation_run_duration_seconds";
    public const string DeltasPublished = "broadcast_deltas_published_total";
    public const string HubConnections = "broadcast_hub_connections";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public void Dispose() => _http.Dispose();

    /// <summary>One sample per server (null for a server that did not answer).</summary>
    public async Task<MetricsSample?[]> ScrapeAsync() =>
        await Task.WhenAll(servers.Select(async s =>
        {
            try
            {
                return Parse(await _http.GetStringAsync(new Uri(s, "/metrics")));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Console.Error.WriteLine($"loadtest: GET {s}metrics: {e.Message}");
                return null;
            }
        }));

    public static MetricsSample Parse(string text)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
            var series = line[..space].Trim();
            var brace = series.IndexOf('{');
            var name = brace < 0 ? series : series[..brace];
            var key = name;
            if (brace >= 0 && name.EndsWith("_bucket", StringComparison.Ordinal))
            {
                var le = series.IndexOf("le=\"", brace, StringComparison.Ordinal);
                if (le >= 0)
                {
                    var end = series.IndexOf('"', le + 4);
                    key = name + "|" + series[(le + 4)..end];
                }
            }
            values[key] = values.GetValueOrDefault(key) + value;
        }
        return new MetricsSample(values);
    }

    public MetricsReport? Report(MetricsSample?[] start, MetricsSample?[] windowEnd, MetricsSample?[] drained, double windowSeconds)
    {
        var pairs = Enumerable.Range(0, servers.Length)
            .Where(i => start[i] is not null && drained[i] is not null)
            .Select(i => (i, Start: start[i]!, End: drained[i]!, WindowEnd: windowEnd[i]))
            .ToArray();
        if (pairs.Length == 0)
            return null;
        BucketSummary Histogram(string name) => Summarize(name, pairs.Select(p => (p.Start, p.End)));
        var deltas = pairs.Sum(p => (p.WindowEnd ?? p.End).Get(DeltasPublished) - p.Start.Get(DeltasPublished));
        var nodes = pairs.Select(p => new NodeMetrics(servers[p.i].ToString(),
            (long)(p.End.Get(RunDuration + "_count") - p.Start.Get(RunDuration + "_count")),
            (long)(p.End.Get(QueueWait + "_count") - p.Start.Get(QueueWait + "_count")),
            (p.WindowEnd ?? p.End).Get(DeltasPublished) - p.Start.Get(DeltasPublished),
            (p.WindowEnd ?? p.End).Get(HubConnections))).ToArray();
        return new MetricsReport(Histogram(QueueWait), Histogram(RunDuration), deltas, windowSeconds > 0 ? deltas / windowSeconds : 0, nodes);
    }

    /// <summary>The histogram's increase summed over the nodes; a quantile is interpolated linearly inside its bucket.</summary>
    private static BucketSummary Summarize(string name, IEnumerable<(MetricsSample Start, MetricsSample End)> pairs)
    {
        var buckets = new SortedDictionary<double, double>();
        double count = 0, sum = 0;
        foreach (var (start, end) in pairs)
        {
            count += end.Get(name + "_count") - start.Get(name + "_count");
            sum += end.Get(name + "_sum") - start.Get(name + "_sum");
            foreach (var (key, value) in end.Values)
            {
                if (!key.StartsWith(name + "_bucket|", StringComparison.Ordinal)) continue;
                var leText = key[(key.IndexOf('|') + 1)..];
                var le = leText == "+Inf" ? double.PositiveInfinity : double.Parse(leText, NumberStyles.Float, CultureInfo.InvariantCulture);
                buckets[le] = buckets.GetValueOrDefault(le) + value - start.Get(key);
            }
        }
        if (count <= 0)
            return new BucketSummary(0, 0, 0, 0, 0, 0);
        var edges = buckets.ToArray(); // cumulative counts by upper edge
        double Quantile(double q)
        {
            var rank = q * count;
            double lower = 0, below = 0;
            foreach (var (le, cumulative) in edges)
            {
                if (cumulative >= rank && cumulative > below)
                    return double.IsPositiveInfinity(le) ? lower : lower + (le - lower) * (rank - below) / (cumulative - below);
                if (!double.IsPositiveInfinity(le)) lower = le;
                below = cumulative;
            }
            return lower;
        }
        var maxBucket = 0.0;
        double previous = 0, previousEdge = 0;
        foreach (var (le, cumulative) in edges)
        {
            if (cumulative > previous) maxBucket = double.IsPositiveInfinity(le) ? previousEdge : le;
            previous = cumulative;
            if (!double.IsPositiveInfinity(le)) previousEdge = le;
        }
        // Bucket edges are in seconds (…_seconds); the report is in ms.
        return new BucketSummary((long)count, sum / count * 1000, Quantile(0.5) * 1000, Quantile(0.95) * 1000, Quantile(0.99) * 1000, maxBucket * 1000);
    }
}

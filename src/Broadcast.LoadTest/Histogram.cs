namespace Broadcast.LoadTest;

/// <summary>
/// A log-linear histogram of non-negative integers (latencies in microseconds, sizes in bytes):
/// HdrHistogram's idea, 32 sub-buckets per power of two, so within 3 %. Histograms from several
/// processes merge exactly; percentiles do not. <see cref="Record"/> is safe from several threads.
/// </summary>
public sealed class Histogram
{
    private const int SubBits = 5;
    private const int Sub = 1 << SubBits;
    private const int Linear = 2 * Sub; // values below this are their own bucket

    private long _count, _max, _sum;

    public long[] Counts { get; init; } = new long[Linear + (64 - SubBits - 1) * Sub];
    public long Count { get => Interlocked.Read(ref _count); set => _count = value; }
    public long Max { get => Interlocked.Read(ref _max); set => _max = value; }
    public double Sum { get => Interlocked.Read(ref _sum); set => _sum = (long)value; }

    public void Record(long value)
    {
        var v = Math.Max(0, value);
        Interlocked.Increment(ref Counts[Index(v)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, v);
        var max = Interlocked.Read(ref _max);
        while (v > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, v, max);
            if (seen == max) break;
            max = seen;
        }
    }

    public void Merge(Histogram other)
    {
        for (var i = 0; i < Counts.Length; i++) Counts[i] += other.Counts[i];
        _count += other.Count;
        _max = Math.Max(_max, other.Max);
        _sum += (long)other.Sum;
    }

    /// <summary>The value at or below which <paramref name="percent"/> of the samples lie (a bucket's upper edge, capped by the max).</summary>
    public double Percentile(double percent)
    {
        if (Count == 0) return 0;
        var rank = (long)Math.Ceiling(percent / 100 * Count);
        long seen = 0;
        for (var i = 0; i < Counts.Length; i++)
        {
            seen += Counts[i];
            if (seen >= Math.Max(1, rank))
                return Math.Min(UpperEdge(i), Max);
        }
        return Max;
    }

    public double PercentileMs(double percent) => Percentile(percent) / 1000.0;

    /// <summary>Latency percentiles, the values being microseconds.</summary>
    public Percentiles Summary() => new(Count, PercentileMs(50), PercentileMs(95), PercentileMs(99), Max / 1000.0,
        Count > 0 ? Sum / Count / 1000.0 : 0);

    /// <summary>Size percentiles, the values being bytes.</summary>
    public SizeSummary Sizes() => new(Count, Count > 0 ? Sum / Count : 0, Percentile(50), Percentile(99), Max);

    /// <summary>The non-empty buckets, to send to the coordinator.</summary>
    public HistogramData ToData()
    {
        var buckets = new Dictionary<int, long>();
        for (var i = 0; i < Counts.Length; i++)
            if (Counts[i] != 0) buckets[i] = Counts[i];
        return new HistogramData(Count, Max, (long)Sum, buckets);
    }

    public static Histogram From(HistogramData? data)
    {
        var h = new Histogram();
        if (data is null) return h;
        foreach (var (i, n) in data.Buckets) h.Counts[i] = n;
        (h.Count, h.Max, h.Sum) = (data.Count, data.Max, data.Sum);
        return h;
    }

    private static int Index(long v)
    {
        if (v < Linear) return (int)v;
        var exponent = 63 - (int)long.LeadingZeroCount(v); // >= SubBits + 1
        var sub = (int)(v >> (exponent - SubBits)) & (Sub - 1);
        return Linear + (exponent - SubBits - 1) * Sub + sub;
    }

    private static long UpperEdge(int index)
    {
        if (index < Linear) return index;
        var exponent = (index - Linear) / Sub + SubBits + 1;
        var sub = (index - Linear) % Sub;
        return ((long)(Sub + sub + 1) << (exponent - SubBits)) - 1;
    }
}

/// <summary>A histogram on the wire between processes: its non-empty buckets.</summary>
public sealed record HistogramData(long Count, long Max, long Sum, Dictionary<int, long> Buckets);

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record Percentiles(long Samples, double P50, double P95, double P99, double Max, double Mean);

/// <summary>Sizes in bytes.</summary>
public sealed record SizeSummary(long Samples, double Mean, double P50, double P99, double Max);

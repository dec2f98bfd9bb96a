namespace Broadcast.LoadTest;

/// <summary>
/// A log-linear latency histogram in microseconds (HdrHistogram's idea, 32 sub-buckets per power
/// of two: within 3 %). Histograms from several processes merge exactly; percentiles do not.
/// </summary>
public sealed class Histogram
{
    private const int SubBits = 5;
    private const int Sub = 1 << SubBits;
    private const int Linear = 2 * Sub; // values below this are their own bucket

    public long[] Counts { get; init; } = new long[Linear + (64 - SubBits - 1) * Sub];
    public long Count { get; set; }
    public long Max { get; set; }
    public double Sum { get; set; }

    public void Record(long micros)
    {
        var v = Math.Max(0, micros);
        Counts[Index(v)]++;
        Count++;
        Max = Math.Max(Max, v);
        Sum += v;
    }

    public void Merge(Histogram other)
    {
        for (var i = 0; i < Counts.Length; i++) Counts[i] += other.Counts[i];
        Count += other.Count;
        Max = Math.Max(Max, other.Max);
        Sum += other.Sum;
    }

    /// <summary>The value at or below which <paramref name="percent"/> of the samples lie (a bucket's upper edge, capped by the max).</summary>
    public double PercentileMs(double percent)
    {
        if (Count == 0) return 0;
        var rank = (long)Math.Ceiling(percent / 100 * Count);
        long seen = 0;
        for (var i = 0; i < Counts.Length; i++)
        {
            seen += Counts[i];
            if (seen >= Math.Max(1, rank))
                return Math.Min(UpperEdge(i), Max) / 1000.0;
        }
        return Max / 1000.0;
    }

    public Percentiles Summary() => new(Count, PercentileMs(50), PercentileMs(95), PercentileMs(99), Max / 1000.0,
        Count > 0 ? Sum / Count / 1000.0 : 0);

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

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record Percentiles(long Samples, double P50, double P95, double P99, double Max, double Mean);

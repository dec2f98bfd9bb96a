using System.Diagnostics;

namespace Broadcast.LoadTest;

/// <summary>
/// The phases of a run on one clock shared by every generator process: <see cref="Stopwatch"/>
/// timestamps are CLOCK_MONOTONIC on Linux, the same for all processes of the machine, so a
/// timestamp taken by a viewer process compares directly with one taken by the coordinator.
/// </summary>
/// <remarks>
/// StartAt: viewers start connecting, spread evenly over the ramp. WindowStart: all connected (plus
/// <see cref="Settle"/> for the last subscriptions to finish); the ingest runs and everything is
/// measured until WindowEnd. StopAt: after <see cref="Grace"/> for the last deltas; sockets close.
/// </remarks>
public sealed record Schedule(long StartAt, TimeSpan Ramp, TimeSpan Duration)
{
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);

    public long WindowStart => StartAt + Ticks(Ramp + Settle);
    public long WindowEnd => WindowStart + Ticks(Duration);
    public long StopAt => WindowEnd + Ticks(Grace);

    public bool InWindow(long timestamp) => timestamp >= WindowStart && timestamp < WindowEnd;

    public static long Now => Stopwatch.GetTimestamp();

    public static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);

    public static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    public static long Micros(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

    /// <summary>Waits until <paramref name="timestamp"/>; returns at once when it has passed.</summary>
    public static async Task UntilAsync(long timestamp, CancellationToken ct = default)
    {
        var wait = timestamp - Now;
        if (wait > 0)
            await Task.Delay(TimeSpan.FromSeconds(Seconds(wait)), ct);
    }
}

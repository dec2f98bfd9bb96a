using System.Collections.Concurrent;
using System.Globalization;

namespace Broadcast.Compat;

/// <summary>
/// The <c>ts</c> of the commission's files: <c>"2024-02-22 17:00:16"</c>, Western Indonesia Time
/// (WIB, UTC+7, no zone written), as the site wrote it. The site stamped a file when it was
/// generated; here a file is stamped with the time this node first served its version. A
/// version is the checkpoint of the aggregation run that made it, so every file one run changed
/// carries one time, and a file keeps its time (and its bytes, under one ETag) until it changes.
/// Each node keeps its own times: behind a load balancer they differ by the moments the nodes
/// took the run in.
/// </summary>
internal sealed class FeedClock(TimeProvider time)
{
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);

    /// <summary>Bounds the stamps kept: a night has a few thousand runs; past this the oldest times are forgotten at once.</summary>
    private const int MaxVersions = 10_000;

    private readonly ConcurrentDictionary<(string Epoch, long Version), string> _stamps = new();

    public string Stamp(string epoch, long version)
    {
        if (_stamps.TryGetValue((epoch, version), out var stamp)) return stamp;
        if (_stamps.Count >= MaxVersions) _stamps.Clear();
        return _stamps.GetOrAdd((epoch, version), _ => Now());
    }

    public string Now() => time.GetUtcNow().ToOffset(Wib).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}

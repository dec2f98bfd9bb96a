using System.Collections.Concurrent;
using System.Diagnostics;

namespace Broadcast.Replay;

/// <summary>Counters shared by the concurrent senders and read by the progress line.</summary>
public sealed class ReplayStats
{
    /// <summary>Rejected forms named one by one in the summary; beyond that they are only counted.</summary>
    public const int MaxRejectedListed = 20;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, long> _problems = new();
    private readonly List<double> _latenciesMs = [];
    private readonly List<RejectedForm> _rejectedForms = []; // the first few, named in the summary
    private long _sent, _counted, _quarantined, _duplicates, _rejected, _failed, _corrections, _requests, _retries;

    public long Sent => Interlocked.Read(ref _sent);
    public long Counted => Interlocked.Read(ref _counted);
    public long Quarantined => Interlocked.Read(ref _quarantined);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long Rejected => Interlocked.Read(ref _rejected);
    public long Failed => Interlocked.Read(ref _failed);
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>One HTTP exchange answered (any status): its latency feeds the percentiles.</summary>
    public void Request(TimeSpan latency)
    {
        Interlocked.Increment(ref _requests);
        lock (_latenciesMs)
            _latenciesMs.Add(latency.TotalMilliseconds);
    }

    public void Retry() => Interlocked.Increment(ref _retries);

    public void Accepted(IReadOnlyList<Receipt> receipts, int corrections)
    {
        foreach (var r in receipts)
        {
            switch (r.Status)
            {
                case "counted": Interlocked.Increment(ref _counted); break;
                case "quarantined": Interlocked.Increment(ref _quarantined); break;
                case "duplicate": Interlocked.Increment(ref _duplicates); break;
            }
            foreach (var code in r.Problems ?? [])
                _problems.AddOrUpdate(code, 1, (_, n) => n + 1);
        }
        Interlocked.Add(ref _corrections, corrections);
        Interlocked.Add(ref _sent, receipts.Count);
    }

    /// <summary>
    /// The server named this form as bad (422) and did not store it: an expected outcome with real
    /// data (a typo on a tally form), reported but not a failure of the replay.
    /// </summary>
    public void Rejection(string station, string problem)
    {
        Interlocked.Increment(ref _rejected);
        Interlocked.Increment(ref _sent);
        lock (_rejectedForms)
        {
            if (_rejectedForms.Count < MaxRejectedListed)
                _rejectedForms.Add(new RejectedForm(station, problem));
        }
    }

    /// <summary>
    /// Something unexpected: no usable answer after all retries (transport errors, timeouts, 5xx,
    /// 429), an unreadable answer, or a status other than 2xx or a 422 naming the bad forms. The
    /// replay did not do its job for these forms.
    /// </summary>
    public void Failure(int forms)
    {
        Interlocked.Add(ref _failed, forms);
        Interlocked.Add(ref _sent, forms);
    }

    public ReplaySummary Summarize(string server, string mode, int planned, string? aborted, string? data = null)
    {
        var elapsed = Elapsed.TotalSeconds;
        double[] sorted;
        lock (_latenciesMs)
            sorted = [.. _latenciesMs];
        Array.Sort(sorted);
        RejectedForm[] rejectedForms;
        lock (_rejectedForms)
            rejectedForms = [.. _rejectedForms];
        return new ReplaySummary(server, mode, planned, Sent, Counted, Quarantined, Duplicates, Rejected, Failed, rejectedForms,
            Interlocked.Read(ref _corrections),
            new SortedDictionary<string, long>(_problems, StringComparer.Ordinal),
            Interlocked.Read(ref _requests), Interlocked.Read(ref _retries),
            Math.Round(elapsed, 3), elapsed > 0 ? Math.Round(Sent / elapsed, 1) : 0,
            new LatencyMs(Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99)),
            aborted, data);
    }

    /// <summary>Nearest-rank percentile of an ascending array, in ms rounded to 0.1.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 1);
}

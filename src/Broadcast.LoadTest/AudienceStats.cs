namespace Broadcast.LoadTest;

/// <summary>One audience's counters in one generator process; updated from many viewers at once.</summary>
public sealed class AudienceStats(Audience audience, Schedule schedule)
{
    private long _viewers, _joined, _left, _windowFrames, _messageBytes, _gaps, _stale, _overlaps;
    private long _totalsChanged, _deltas, _headlines;
    private long _requests, _ok, _notModified, _bodyBytes, _pollErrors;
    private long _verified, _verifyFailed, _verifyApplied, _pollsMissed;

    public Audience Audience => audience;
    public WireCounter Wire { get; } = new(schedule);
    /// <summary>Sizes of the update messages received in the window (hub message with its length prefix), bytes.</summary>
    public Histogram FrameSizes { get; } = new();
    /// <summary>--bare: send → received of every frame in the window, µs.</summary>
    public Histogram BareLatency { get; } = new();

    public void Assigned() => Interlocked.Increment(ref _viewers);
    public void Joined() => Interlocked.Increment(ref _joined);
    public void Left() => Interlocked.Increment(ref _left);
    public long Held => Interlocked.Read(ref _joined) - Interlocked.Read(ref _left);
    public void Gap() => Interlocked.Increment(ref _gaps);
    public void StaleFrame() => Interlocked.Increment(ref _stale);
    public void Overlap() => Interlocked.Increment(ref _overlaps);

    /// <summary>An update received at <paramref name="now"/>, <paramref name="bytes"/> long on the wire (hub message and prefix).</summary>
    public void Update(UpdateKind kind, int bytes, long now)
    {
        if (!schedule.InWindow(now)) return;
        Interlocked.Increment(ref _windowFrames);
        Interlocked.Add(ref _messageBytes, bytes);
        FrameSizes.Record(bytes);
        switch (kind)
        {
            case UpdateKind.TotalsChanged: Interlocked.Increment(ref _totalsChanged); break;
            case UpdateKind.Delta: Interlocked.Increment(ref _deltas); break;
            case UpdateKind.Headline: Interlocked.Increment(ref _headlines); break;
        }
    }

    /// <summary>A poll answered at <paramref name="now"/>: 200 with a body of <paramref name="bodyBytes"/> (as received), or 304.</summary>
    public void Polled(bool notModified, long bodyBytes, long now)
    {
        if (!schedule.InWindow(now)) return;
        Interlocked.Increment(ref _requests);
        if (notModified) Interlocked.Increment(ref _notModified); else Interlocked.Increment(ref _ok);
        Interlocked.Add(ref _bodyBytes, bodyBytes);
    }

    public void PollFailed() => Interlocked.Increment(ref _pollErrors);

    /// <summary>Polls that were due while the previous one was still waiting for its answer (skipped, not sent late).</summary>
    public void PollsMissed(long n, long now)
    {
        if (schedule.InWindow(now)) Interlocked.Add(ref _pollsMissed, n);
    }

    /// <summary>A verifying viewer's end: its group matched the read API (<paramref name="problem"/> null) or not.</summary>
    public void Verified(string? problem, long applied)
    {
        Interlocked.Increment(ref problem is null ? ref _verified : ref _verifyFailed);
        Interlocked.Add(ref _verifyApplied, applied);
    }

    public AudienceReport Report(long heldAtWindowStart, long heldAtEnd) => new(audience.Name, audience.Describe(),
        Interlocked.Read(ref _viewers), heldAtWindowStart, heldAtEnd,
        Interlocked.Read(ref _windowFrames), Interlocked.Read(ref _totalsChanged), Interlocked.Read(ref _deltas), Interlocked.Read(ref _headlines),
        Interlocked.Read(ref _messageBytes), Wire.Read, Wire.Written, FrameSizes.ToData(),
        Interlocked.Read(ref _gaps), Interlocked.Read(ref _stale), Interlocked.Read(ref _overlaps),
        Interlocked.Read(ref _requests), Interlocked.Read(ref _ok), Interlocked.Read(ref _notModified), Interlocked.Read(ref _bodyBytes),
        Interlocked.Read(ref _pollErrors), BareLatency.Count > 0 ? BareLatency.ToData() : null,
        Interlocked.Read(ref _verified), Interlocked.Read(ref _verifyFailed), Interlocked.Read(ref _verifyApplied), Interlocked.Read(ref _pollsMissed));
}

/// <summary>
/// One audience's figures over the window, from one process or merged over all. Frames are the
/// updates received (TotalsChanged, Delta, Headline); message bytes their hub messages; wire bytes
/// what crossed the audience's sockets (WebSocket or HTTP headers included). Polling: requests
/// answered in the window, 200s and 304s, response bodies as received (compressed).
/// </summary>
public sealed record AudienceReport(
    string Name, string Description, long Viewers, long HeldAtWindowStart, long HeldAtEnd,
    long Frames, long TotalsChanged, long Deltas, long Headlines, long MessageBytes, long WireBytesRead, long WireBytesWritten,
    HistogramData FrameSizes, long Gaps, long Stale, long Overlaps,
    long Requests, long Ok, long NotModified, long BodyBytes, long PollErrors, HistogramData? BareLatency,
    long Verified = 0, long VerifyFailed = 0, long VerifyApplied = 0, long PollsMissed = 0)
{
    public static AudienceReport Merge(AudienceReport[] parts)
    {
        var sizes = new Histogram();
        var bare = new Histogram();
        foreach (var p in parts)
        {
            sizes.Merge(Histogram.From(p.FrameSizes));
            if (p.BareLatency is not null) bare.Merge(Histogram.From(p.BareLatency));
        }
        long Sum(Func<AudienceReport, long> f) => parts.Sum(f);
        return new AudienceReport(parts[0].Name, parts[0].Description, Sum(p => p.Viewers), Sum(p => p.HeldAtWindowStart), Sum(p => p.HeldAtEnd),
            Sum(p => p.Frames), Sum(p => p.TotalsChanged), Sum(p => p.Deltas), Sum(p => p.Headlines), Sum(p => p.MessageBytes),
            Sum(p => p.WireBytesRead), Sum(p => p.WireBytesWritten), sizes.ToData(), Sum(p => p.Gaps), Sum(p => p.Stale), Sum(p => p.Overlaps),
            Sum(p => p.Requests), Sum(p => p.Ok), Sum(p => p.NotModified), Sum(p => p.BodyBytes), Sum(p => p.PollErrors),
            bare.Count > 0 ? bare.ToData() : null, Sum(p => p.Verified), Sum(p => p.VerifyFailed), Sum(p => p.VerifyApplied), Sum(p => p.PollsMissed));
    }
}

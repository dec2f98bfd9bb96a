using System.Diagnostics.Metrics;
using Broadcast.Aggregation;

namespace Broadcast.Health;

/// <summary>
/// The figures an operator watches on election night, as OpenTelemetry metrics (meter
/// <c>Broadcast</c>, scraped at <c>/metrics</c>): forms stored, aggregation lag in revisions,
/// runs and the job queue's enqueue→start wait, deltas published, viewer connections, resumes
/// and resyncs.
/// </summary>
public sealed class BroadcastMetrics
{
    public const string MeterName = "Broadcast";

    private readonly Counter<long> _formsStored;
    private readonly Counter<long> _deltas;
    private readonly Counter<long> _resumes;
    private readonly Counter<long> _subscribes;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _frames;
    private readonly Counter<long> _frameBytes;
    private readonly Counter<long> _heldBack;
    private readonly Histogram<double> _runSeconds;
    private readonly Histogram<double> _queueWaitSeconds;
    private readonly Histogram<double> _formToScreenSeconds;
    private readonly Queue<(DateTimeOffset At, double Seconds)> _recentLags = new();
    private long _lastSeenSeq;

    public BroadcastMetrics(IMeterFactory meters, TallyHolder holder)
    {
        var meter = meters.Create(MeterName);
        _formsStored = meter.CreateCounter<long>("broadcast.forms.stored", "{form}", "Forms stored by this node (duplicates excluded)");
        _deltas = meter.CreateCounter<long>("broadcast.deltas.published", "{change}", "Group changes built by this node for the groups its viewers follow");
        _resumes = meter.CreateCounter<long>("broadcast.hub.resumes", "{call}", "Resume calls, by answer: deltas, snapshot (a resync) or current");
        _subscribes = meter.CreateCounter<long>("broadcast.hub.subscribes", "{call}", "Subscribe calls (each answered with a snapshot)");
        _frames = meter.CreateCounter<long>("broadcast.hub.frames", "{frame}", "Frames written to viewers by this node, by view: legacy, full, headline");
        _frameBytes = meter.CreateCounter<long>("broadcast.hub.frame.bytes", "By", "Bytes of the frames written to viewers by this node (before WebSocket framing)");
        _heldBack = meter.CreateCounter<long>("broadcast.hub.held_back", "{frame}", "Times a viewer's frame was held back (rate cap, a write not drained, a socket behind) to go out conflated");
        _connections = meter.CreateUpDownCounter<long>("broadcast.hub.connections", "{connection}", "Viewer connections open on this node");
        // Runs and job waits are milliseconds to seconds; the default buckets start at 5 (seconds).
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10] };
        _runSeconds = meter.CreateHistogram("broadcast.aggregation.run.duration", "s", "Aggregation runs committed by this node", advice: buckets);
        _queueWaitSeconds = meter.CreateHistogram("broadcast.aggregation.queue.wait", "s", "From enqueueing the aggregation job to its start", advice: buckets);
        _formToScreenSeconds = meter.CreateHistogram("broadcast.form_to_screen", "s",
            "From the oldest form of a run being stored to the run's changes going out to this node's viewers",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 60, 300] });
        meter.CreateObservableGauge("broadcast.aggregation.lag", () =>
        {
            var checkpoint = holder.IsLoaded ? holder.Tally.State.Checkpoint : 0;
            return Math.Max(0, Interlocked.Read(ref _lastSeenSeq) - checkpoint);
        }, "{revision}", "Stored revisions not yet in this node's totals");
    }

    public void FormsStored(int count, long lastSeq)
    {
        if (count > 0) _formsStored.Add(count);
        SeenSeq(lastSeq);
    }

    /// <summary>The highest stored seq this node knows of (its own appends, the watchdog's look at the store).</summary>
    public void SeenSeq(long seq)
    {
        long current;
        while (seq > (current = Interlocked.Read(ref _lastSeenSeq)) && Interlocked.CompareExchange(ref _lastSeenSeq, seq, current) != current) { }
    }

    public void DeltasPublished(int count) => _deltas.Add(count);
    public void FrameSent(Push.FollowView view, int bytes)
    {
        var tag = new KeyValuePair<string, object?>("view", view switch { Push.FollowView.Full => "full", Push.FollowView.Headline => "headline", _ => "legacy" });
        _frames.Add(1, tag);
        _frameBytes.Add(bytes, tag);
    }
    public void FrameHeldBack() => _heldBack.Add(1);
    public void Resumed(string answer) => _resumes.Add(1, new KeyValuePair<string, object?>("answer", answer));
    public void Subscribed() => _subscribes.Add(1);
    public void Connected() => _connections.Add(1);
    public void Disconnected() => _connections.Add(-1);
    public void RunCompleted(TimeSpan elapsed) => _runSeconds.Record(elapsed.TotalSeconds);
    /// <summary>A run's changes went out to viewers; <paramref name="oldest"/> is when its oldest form was stored.</summary>
    public void Published(DateTimeOffset oldest, DateTimeOffset now)
    {
        var seconds = Math.Max(0, (now - oldest).TotalSeconds);
        _formToScreenSeconds.Record(seconds);
        lock (_recentLags)
        {
            _recentLags.Enqueue((now, seconds));
            while (_recentLags.Count > 0 && now - _recentLags.Peek().At > TimeSpan.FromMinutes(1)) _recentLags.Dequeue();
        }
    }

    /// <summary>The form-to-screen lags of the last minute's runs.</summary>
    public Operators.LagFigures RecentFormToScreen(DateTimeOffset now)
    {
        double[] lags;
        lock (_recentLags) lags = _recentLags.Where(l => now - l.At <= TimeSpan.FromMinutes(1)).Select(l => l.Seconds).Order().ToArray();
        if (lags.Length == 0) return new(0, null, null, null);
        double At(double q) => Math.Round(lags[(int)Math.Min(lags.Length - 1, Math.Floor(q * lags.Length))], 3);
        return new(lags.Length, At(0.5), At(0.95), Math.Round(lags[^1], 3));
    }

    public void JobStarted(TimeSpan waited) => _queueWaitSeconds.Record(waited.TotalSeconds);
}

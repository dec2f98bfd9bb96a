namespace Broadcast.Replay;

/// <summary>
/// Walks the timeline and hands batches to the <see cref="FormSender"/>, at most <c>concurrency</c> at a time,
/// either as fast as possible or paced by the <see cref="NightClock"/>.
/// </summary>
public sealed class Replayer(FormSender sender, int batch, int concurrency, NightClock? clock)
{
    /// <summary>Timed mode flushes what has arrived at most this often, like a collector: otherwise a fast clock would mean one request per form.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private readonly SemaphoreSlim _slots = new(concurrency);
    private readonly SortedSet<int> _inFlight = []; // timeline index of the first form of each unanswered batch
    private readonly System.Diagnostics.Stopwatch _sinceDispatch = System.Diagnostics.Stopwatch.StartNew();
    private Exception? _fatal;

    /// <summary>Sends every form; returns when all are answered. Throws <see cref="ReplayAbortedException"/> or the cancellation.</summary>
    public async Task RunAsync(Form[] timeline, CancellationToken ct)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            for (var start = 0; start < timeline.Length;)
            {
                var end = SplitBeforeOwnCorrection(timeline, start, await NextBatchEndAsync(timeline, start, run.Token));
                // A correction must reach the server after its original, or it would be revision 1.
                if (OriginalMayBeInFlight(timeline, start, end))
                    await DrainAsync(run.Token);
                await _slots.WaitAsync(run.Token);
                lock (_inFlight)
                    _inFlight.Add(start);
                _ = SendAsync(new ArraySegment<Form>(timeline, start, end - start), run);
                start = end;
            }
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            // stopped by the user or by a fatal answer; wait for the requests under way below
        }
        await DrainAsync(CancellationToken.None);
        if (_fatal is not null)
            throw _fatal;
        ct.ThrowIfCancellationRequested();
    }

    private async Task SendAsync(ArraySegment<Form> forms, CancellationTokenSource run)
    {
        try
        {
            await sender.SendAsync(forms, run.Token);
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            // the run is stopping; these forms stay unsent
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _fatal, e, null); // the first failure is the one to report
            await run.CancelAsync();
        }
        finally
        {
            lock (_inFlight)
                _inFlight.Remove(forms.Offset);
            _slots.Release();
        }
    }

    /// <summary>Where the batch starting at <paramref name="start"/> ends, waiting for the night clock in timed mode.</summary>
    private async Task<int> NextBatchEndAsync(Form[] timeline, int start, CancellationToken ct)
    {
        if (clock is null)
            return Math.Min(start + batch, timeline.Length);
        while (true)
        {
            var now = clock.NowMs;
            var end = start;
            while (end < timeline.Length && end - start < batch && timeline[end].At <= now)
                end++;
            var full = end - start == batch || end == timeline.Length;
            if (end > start && (full || _sinceDispatch.Elapsed >= Tick))
            {
                _sinceDispatch.Restart();
                return end;
            }
            var wait = end > start ? Tick - _sinceDispatch.Elapsed : clock.WallUntil(timeline[start].At);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(wait.TotalMilliseconds, 1, Tick.TotalMilliseconds)), ct);
        }
    }

    /// <summary>Ends the batch before a correction whose original is in the same batch, so the two are never sent together.</summary>
    private static int SplitBeforeOwnCorrection(Form[] timeline, int start, int end)
    {
        for (var k = start + 1; k < end; k++)
        {
            if (timeline[k].Original >= start)
                return k;
        }
        return end;
    }

    /// <summary>Conservative: true when some unanswered batch starts at or before a correction's original.</summary>
    private bool OriginalMayBeInFlight(Form[] timeline, int start, int end)
    {
        lock (_inFlight)
        {
            if (_inFlight.Count == 0)
                return false;
            var oldest = _inFlight.Min;
            for (var k = start; k < end; k++)
            {
                if (timeline[k].IsCorrection && timeline[k].Original >= oldest)
                    return true;
            }
            return false;
        }
    }

    /// <summary>Waits until no request is under way by taking every slot, then gives them back.</summary>
    private async Task DrainAsync(CancellationToken ct)
    {
        var taken = 0;
        try
        {
            for (; taken < concurrency; taken++)
                await _slots.WaitAsync(ct);
        }
        finally
        {
            if (taken > 0)
                _slots.Release(taken);
        }
    }
}

using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.History;

/// <summary>
/// A contest's totals as of a seq: every group's, folded from nothing out of the revisions with
/// seq ≤ it, newest first (<see cref="ScratchFold"/>, the same fold the live totals are rebuilt
/// with, so the same rules for corrections, quarantine and rejections, and the same seats). From
/// the in-memory log when the contest is kept there, otherwise from the store. The last few are
/// kept: a producer looking at one moment opens its regions one after another, and every viewer
/// of that moment (or a CDN in front of them) asks for the same ones. A tally no longer kept and
/// no longer read is reused for the next moment, so scrubbing through the night does not leave
/// a trail of 12 MB arrays for the garbage collector.
/// </summary>
public sealed class AsOfTotals(RevisionHistory history, FormStore store, Election election)
{
    /// <summary>Tallies kept (each is a whole contest: ~12 MB for the 2019 presidential one).</summary>
    private const int Kept = 4;

    /// <summary>Evicted tallies kept for reuse: one per fold running at once is enough.</summary>
    private const int Spare = 2;

    /// <summary>One moment's tally, with the readers it has now (it is reused only once evicted and unread).</summary>
    private sealed class Moment(int contest, long seq, long floor)
    {
        public long Floor { get; } = floor;
        public int Contest { get; } = contest;
        public long Seq { get; } = seq;
        public required Task<ContestTally> Totals { get; init; }
        public int Readers { get; set; }
        public bool Evicted { get; set; }
    }

    private readonly object _lock = new();
    private readonly LinkedList<Moment> _kept = new();
    private readonly List<ContestTally> _spare = [];
    /// <summary>A fold from the store reads the whole log up to the moment: one at a time.</summary>
    private readonly SemaphoreSlim _storeFolds = new(1, 1);

    /// <summary>Folds computed (not taken from those kept) since start-up.</summary>
    public long Folds => Interlocked.Read(ref _folds);
    private long _folds;

    /// <summary>
    /// Reads the totals of <paramref name="contest"/> as of <paramref name="seq"/> (a seq the history
    /// has read up to) with <paramref name="read"/>, which must not keep them: they are reused later.
    /// </summary>
    public async Task<T> ReadAsync<T>(Contest contest, long seq, Func<ContestTally, T> read)
    {
        var moment = Enter(contest, seq);
        try
        {
            return read(await moment.Totals);
        }
        catch
        {
            // A store that failed now may answer next time.
            if (moment.Totals.IsFaulted) lock (_lock) if (_kept.Remove(moment)) moment.Evicted = true;
            throw;
        }
        finally
        {
            Leave(moment);
        }
    }

    private Moment Enter(Contest contest, long seq)
    {
        Moment moment;
        TaskCompletionSource<ContestTally> folded;
        lock (_lock)
        {
            var node = _kept.First;
            var floor = history.Floor; // a rehearsal's reset makes the same seq another moment
            while (node is not null && (node.Value.Contest != contest.Index || node.Value.Seq != seq || node.Value.Floor != floor)) node = node.Next;
            if (node is not null)
            {
                _kept.Remove(node);
                _kept.AddFirst(node);
                node.Value.Readers++;
                return node.Value;
            }
            folded = new TaskCompletionSource<ContestTally>(TaskCreationOptions.RunContinuationsAsynchronously);
            moment = new Moment(contest.Index, seq, floor) { Readers = 1, Totals = folded.Task };
            _kept.AddFirst(moment);
            if (_kept.Count > Kept)
            {
                var evicted = _kept.Last!.Value;
                _kept.RemoveLast();
                evicted.Evicted = true;
                Recycle(evicted);
            }
        }
        // Folded outside the lock; whoever asks for the same moment meanwhile awaits its task.
        _ = FoldIntoAsync(folded, contest, seq);
        return moment;
    }

    private async Task FoldIntoAsync(TaskCompletionSource<ContestTally> folded, Contest contest, long seq)
    {
        try { folded.SetResult(await FoldAsync(contest, seq)); }
        catch (Exception e) { folded.SetException(e); }
    }

    private void Leave(Moment moment)
    {
        lock (_lock)
        {
            moment.Readers--;
            Recycle(moment);
        }
    }

    /// <summary>An evicted moment nobody reads any more gives its arrays to the next fold (under the lock).</summary>
    private void Recycle(Moment moment)
    {
        if (moment is { Evicted: true, Readers: 0 } && moment.Totals is { IsCompletedSuccessfully: true } done && _spare.Count < Spare)
        {
            _spare.Add(done.Result);
        }
    }

    private async Task<ContestTally> FoldAsync(Contest contest, long seq)
    {
        Interlocked.Increment(ref _folds);
        var totals = Fresh(contest);
        if (history.IsIndexed(contest))
        {
            history.FoldInto(totals, seq);
            return totals;
        }
        await _storeFolds.WaitAsync();
        try
        {
            var fold = new ScratchFold(election, totals);
            for (var upTo = seq; upTo > 0;)
            {
                var revisions = await store.ReadRevisionsNewestFirstAsync(upTo, Aggregator.BatchSize);
                if (revisions.Count == 0) break;
                foreach (var revision in revisions) fold.Fold(revision);
                upTo = revisions[^1].Seq - 1;
            }
            fold.ProjectSeats();
            return totals;
        }
        finally { _storeFolds.Release(); }
    }

    /// <summary>Empty totals of the contest: a spare one cleared, or new.</summary>
    private ContestTally Fresh(Contest contest)
    {
        ContestTally? spare = null;
        lock (_lock)
        {
            var i = _spare.FindIndex(t => t.Contest == contest);
            if (i >= 0)
            {
                spare = _spare[i];
                _spare.RemoveAt(i);
            }
        }
        if (spare is null) return new ContestTally(contest, election.Regions.Count, election.Stations.Count);
        // Versions stay 0 in these totals, and every dapil's seats are projected again after the fold.
        Array.Clear(spare.RegionTotals);
        Array.Clear(spare.DapilTotals);
        Array.Clear(spare.StationState);
        Array.Clear(spare.CountedSeq);
        return spare;
    }
}

using BenchmarkDotNet.Attributes;
using Broadcast.Aggregation;
using Broadcast.Storage;

namespace Broadcast.Benchmarks;

/// <summary>
/// The aggregator's fold of 10,000 real revisions (500 of them volunteer corrections) into
/// empty totals: as an incremental run (overlay, then applied under the write lock) and as
/// start-up and rebuild fold (newest first, in place). From empty totals a run replaces only
/// revisions of its own batch, so it reads nothing from a store.
/// </summary>
[MemoryDiagnoser]
public class FoldBenchmarks
{
    public const int Revisions = 10_000;

    private StoredRevision[] _revisions = null!;
    private Tally _tally = null!;

    [GlobalSetup]
    public void Setup()
    {
        _revisions = BenchData.SpreadRevisions(Revisions, corrections: 500);
        _tally = new Tally(BenchData.Election, new AggregationState(0, "bench"));
    }

    // Apply and the in-place fold write into the tally: each invocation starts again from empty totals.
    [IterationSetup(Targets = [nameof(FoldOverlayAndApply), nameof(FoldInPlace)])]
    public void EmptyTally()
    {
        foreach (var contest in _tally.Contests)
        {
            Array.Clear(contest.RegionTotals);
            Array.Clear(contest.RegionVersions);
            Array.Clear(contest.CountedSeq);
            Array.Clear(contest.StationState);
        }
    }

    /// <summary>The overlay alone: the live tally is untouched, so this repeats without a reset.</summary>
    [Benchmark]
    public int FoldOverlay()
    {
        var run = new TallyRun(_tally, NothingReplaced);
        foreach (var revision in _revisions) run.Fold(revision);
        return run.Folded;
    }

    [Benchmark]
    public int FoldOverlayAndApply()
    {
        var run = new TallyRun(_tally, NothingReplaced);
        foreach (var revision in _revisions) run.Fold(revision);
        return _tally.Apply(run, new AggregationState(run.LastSeq, "bench")).GroupCount;
    }

    [Benchmark]
    public int FoldInPlace()
    {
        var fold = new ScratchFold(_tally);
        for (var i = _revisions.Length - 1; i >= 0; i--) fold.Fold(_revisions[i]);
        return fold.Folded;
    }

    private static readonly Dictionary<long, FormNumbers> NothingReplaced = [];
}

using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Tests;

/// <summary>The fold: what the totals are, given revisions in seq order.</summary>
public sealed class TallyRunTests
{
    private static readonly Election Election = TestElection.Pilpres2019;
    private readonly Tally _tally = new(Election, new AggregationState(0, "e1"));
    private readonly int _station = Election.Station(3);
    private long _seq;

    private StoredRevision Revision(int a, int b, FormStatus status = FormStatus.Counted, int invalid = 0, int? station = null) =>
        new(++_seq, "ppwp", Election.StationId(station ?? _station), 1, new FormNumbers([a, b], a + b, invalid, a + b + invalid),
            status, [], null, DateTimeOffset.UnixEpoch);

    private TallyChanges Fold(params StoredRevision[] revisions)
    {
        var run = new TallyRun(_tally);
        foreach (var revision in revisions) run.Fold(revision);
        return _tally.Apply(run, new AggregationState(run.LastSeq, "e1"));
    }

    private long[] Totals(int region) => _tally.Contests[0].Region(region).ToArray();
    private int Village => Election.Stations.Village[_station];

    [Fact]
    public void ACountedFormAddsToItsStationAndEveryAncestor()
    {
        var changes = Fold(Revision(100, 50, invalid: 2));

        foreach (var region in Election.Regions.SelfAndAncestors(Village))
            Assert.Equal([1, 0, 150, 2, 100, 50], Totals(region));
        Assert.Equal(5, changes.GroupCount);
        Assert.Equal([_station], changes.Contests[0].Stations);
    }

    [Fact]
    public void ACorrectionReplacesTheEarlierRevision()
    {
        Fold(Revision(100, 50));
        Fold(Revision(90, 70, invalid: 1));
        Assert.Equal([1, 0, 160, 1, 90, 70], Totals(RegionTree.National));
    }

    [Fact]
    public void AQuarantinedFirstFormCountsOnlyAsQuarantined()
    {
        Fold(Revision(100, 50, FormStatus.Quarantined));
        Assert.Equal([0, 1, 0, 0, 0, 0], Totals(RegionTree.National));
        Assert.Equal(StationFlags.Pending, _tally.Contests[0].StationState[_station]);
    }

    [Fact]
    public void AQuarantinedCorrectionKeepsTheLastCountedRevisionInTheTotals()
    {
        Fold(Revision(100, 50));
        Fold(Revision(900, 50, FormStatus.Quarantined));
        Assert.Equal([1, 1, 150, 0, 100, 50], Totals(RegionTree.National));
        Assert.Equal(StationFlags.Counted | StationFlags.Pending, _tally.Contests[0].StationState[_station]);
    }

    [Fact]
    public void ACountedRevisionReleasesTheQuarantine()
    {
        Fold(Revision(100, 50));
        Fold(Revision(900, 50, FormStatus.Quarantined));
        Fold(Revision(90, 50));
        Assert.Equal([1, 0, 140, 0, 90, 50], Totals(RegionTree.National));
    }

    [Fact]
    public void RepeatedQuarantineChangesNoGroup()
    {
        Fold(Revision(1, 1, FormStatus.Quarantined));
        Assert.Equal(0, Fold(Revision(2, 2, FormStatus.Quarantined)).GroupCount);
    }

    [Fact]
    public void GroupVersionsMoveOnlyWhenTheGroupChangesAndKeepThePreviousOne()
    {
        var other = Election.Station(40);
        Fold(Revision(1, 1));
        var changes = Fold(Revision(2, 2, station: other));
        var national = changes.Contests[0].Regions[RegionTree.National];

        Assert.Equal(1, national); // previous version of the national group
        Assert.Equal(2, _tally.Contests[0].RegionVersions[RegionTree.National]);
        Assert.Equal(1, _tally.Contests[0].RegionVersions[Village]); // untouched by the second run
    }

    [Fact]
    public void AnUncommittedRunLeavesTheTallyAsItWas()
    {
        var run = new TallyRun(_tally);
        run.Fold(Revision(100, 50));
        Assert.Equal(new long[6], Totals(RegionTree.National));
    }

    [Fact]
    public void RevisionsOfUnknownStationsAreSkippedNotCounted()
    {
        var run = new TallyRun(_tally);
        run.Fold(new StoredRevision(1, "ppwp", "no.1", 1, new FormNumbers([1, 1], 2, 0, 2), FormStatus.Counted, [], null, default));
        run.Fold(new StoredRevision(2, "dpr", Election.StationId(_station), 1, new FormNumbers([1, 1], 2, 0, 2), FormStatus.Counted, [], null, default));
        Assert.Equal((0, 2, 2L), (run.Folded, run.Skipped, run.LastSeq));
    }

    [Fact]
    public void FoldingInPlaceGivesTheSameTotalsAsFoldingThroughTheOverlay()
    {
        var other = Election.Station(41);
        StoredRevision[] revisions =
        [
            Revision(100, 50), Revision(7, 7, FormStatus.Quarantined, station: other), Revision(90, 70, invalid: 1),
            Revision(900, 1, FormStatus.Quarantined), Revision(8, 8, station: other),
        ];
        Fold(revisions);
        var inPlace = new Tally(Election, new AggregationState(0, "e1"));
        var run = new TallyRun(inPlace, inPlace: true);
        foreach (var revision in revisions) run.Fold(revision);

        Assert.Equal(_tally.Contests[0].RegionTotals, inPlace.Contests[0].RegionTotals);
        Assert.Equal(_tally.Contests[0].StationNumbers, inPlace.Contests[0].StationNumbers);
        Assert.Equal(_tally.Contests[0].StationState, inPlace.Contests[0].StationState);
    }
}

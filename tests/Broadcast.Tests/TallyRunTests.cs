using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Tests;

/// <summary>The fold: what the totals are, given revisions in seq order.</summary>
public sealed class TallyRunTests
{
    private static readonly Election Election = SmallElection.Election;
    private readonly Tally _tally = new(Election, new AggregationState(0, "e1"));
    /// <summary>Every revision made so far, by seq: the store a run reads replaced revisions from.</summary>
    private readonly Dictionary<long, StoredRevision> _stored = [];
    private readonly string _station = SmallElection.Station("6405012001");
    private long _seq;

    private StoredRevision Revision(int a, int b, FormStatus status = FormStatus.Counted, int invalid = 0, string? station = null) =>
        Store(new(++_seq, "ppwp", station ?? _station, 1, new FormNumbers([a, b], a + b, invalid, a + b + invalid),
            status, [], null, DateTimeOffset.UnixEpoch));

    private StoredRevision Store(StoredRevision revision) => _stored[revision.Seq] = revision;

    private TallyChanges Fold(params StoredRevision[] revisions)
    {
        var replaced = TallyRun.CountedSeqsToRead(_tally, revisions).ToDictionary(seq => seq, seq => _stored[seq].Numbers);
        var run = new TallyRun(_tally, replaced);
        foreach (var revision in revisions) run.Fold(revision);
        run.ProjectSeats();
        return _tally.Apply(run, new AggregationState(run.LastSeq, "e1"));
    }

    private long[] Totals(int region, int contest = 0) => _tally.Contests[contest].Region(region).ToArray();
    private int StationIndex => Election.FindStation(_station)!.Value;
    private int Village => Election.Stations.Village[StationIndex];

    [Fact]
    public void ACountedFormAddsToItsStationAndEveryAncestor()
    {
        var changes = Fold(Revision(100, 50, invalid: 2));

        foreach (var region in Election.Regions.SelfAndAncestors(Village))
            Assert.Equal([1, 0, 150, 2, 100, 50], Totals(region));
        Assert.Equal(5, changes.GroupCount);
        Assert.Equal([StationIndex], changes.Contests[0].Stations.Keys);
    }

    [Fact]
    public void ACorrectionReplacesTheEarlierRevisionReadFromTheStore()
    {
        Fold(Revision(100, 50));
        var changes = Fold(Revision(90, 70, invalid: 1));
        Assert.Equal([1, 0, 160, 1, 90, 70], Totals(RegionTree.National));
        Assert.Equal([90, 70], changes.Contests[0].Stations[StationIndex]!.Votes);
    }

    [Fact]
    public void ARunWithoutTheReplacedRevisionRefusesToGuess()
    {
        Fold(Revision(100, 50));
        var run = new TallyRun(_tally, new Dictionary<long, FormNumbers>());
        Assert.Throws<InvalidOperationException>(() => run.Fold(Revision(90, 70)));
    }

    [Fact]
    public void AQuarantinedFirstFormCountsOnlyAsQuarantined()
    {
        Fold(Revision(100, 50, FormStatus.Quarantined));
        Assert.Equal([0, 1, 0, 0, 0, 0], Totals(RegionTree.National));
        Assert.Equal(StationFlags.Pending, _tally.Contests[0].StationState[StationIndex]);
    }

    [Fact]
    public void AQuarantinedCorrectionKeepsTheLastCountedRevisionInTheTotals()
    {
        Fold(Revision(100, 50));
        Fold(Revision(900, 50, FormStatus.Quarantined));
        Assert.Equal([1, 1, 150, 0, 100, 50], Totals(RegionTree.National));
        Assert.Equal(StationFlags.Counted | StationFlags.Pending, _tally.Contests[0].StationState[StationIndex]);
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
        var other = SmallElection.Station("1101012001");
        Fold(Revision(1, 1));
        var changes = Fold(Revision(2, 2, station: other));
        var national = changes.Contests[0].Regions[RegionTree.National].PreviousVersion;

        Assert.Equal(1, national); // previous version of the national group
        Assert.Equal(2, _tally.Contests[0].RegionVersions[RegionTree.National]);
        Assert.Equal(1, _tally.Contests[0].RegionVersions[Village]); // untouched by the second run
    }

    [Fact]
    public void AnUncommittedRunLeavesTheTallyAsItWas()
    {
        var run = new TallyRun(_tally, new Dictionary<long, FormNumbers>());
        run.Fold(Revision(100, 50));
        Assert.Equal(new long[6], Totals(RegionTree.National));
    }

    [Fact]
    public void RevisionsOfUnknownStationsContestsOrBallotsAreSkippedNotCounted()
    {
        var run = new TallyRun(_tally, new Dictionary<long, FormNumbers>());
        run.Fold(new StoredRevision(1, "ppwp", "no.1", 1, new FormNumbers([1, 1], 2, 0, 2), FormStatus.Counted, [], null, default));
        run.Fold(new StoredRevision(2, "pilkada", _station, 1, new FormNumbers([1, 1], 2, 0, 2), FormStatus.Counted, [], null, default));
        run.Fold(new StoredRevision(3, "dpr", _station, 1, new FormNumbers([1, 1], 2, 0, 2), FormStatus.Counted, [], null, default));
        Assert.Equal((0, 3, 3L), (run.Folded, run.Skipped, run.LastSeq));
    }

    /// <summary>A party-list form for the station in <paramref name="contest"/>: the entries as given, valid = their sum.</summary>
    private StoredRevision Legislative(string contest, string station, int[] entries, FormStatus status = FormStatus.Counted) =>
        Store(new(++_seq, contest, station, 1, new FormNumbers(entries, entries.Sum(), 0, entries.Sum()), status, [], null, DateTimeOffset.UnixEpoch));

    [Fact]
    public void APartyListFormAddsPartyTotalsToRegionsAndEveryEntryToItsDapil()
    {
        var kab = Election.FindContest("dprd_kab")!;
        var ballot = kab.BallotOfVillage(Village)!; // BERAU 1: PKB, GERINDRA, PDIP with 3 candidates each
        Assert.Equal(12, ballot.Width);
        int[] entries = [5, 10, 20, 30, 1, 2, 3, 9, 0, 0, 0, 7];
        Fold(Legislative("dprd_kab", _station, entries));

        var c = kab.Index;
        Assert.Equal([1, 0, 87, 0, 65, 15, 7, 0], Totals(Election.FindRegion("6405")!.Value, c));
        Assert.Equal([1, 0, 87, 0, .. entries], _tally.Contests[c].Dapil(ballot.Dapil!.Index).ToArray());
        var seats = _tally.Contests[c].Seats[ballot.Dapil.Index]!;
        Assert.Equal([2, 1, 0], seats.Parties!.Seats.ToArray()); // 65, 15, 7 for three seats: 65, 65/3, 15
        Assert.Equal([3, 2, 1], seats.Candidates[0].Rank.ToArray()); // within PKB: 30, 20, 10 votes
    }

    [Fact]
    public void ACorrectionOfAPartyListFormMovesItsCandidatesAndSeats()
    {
        var c = Election.FindContest("dprd_kab")!.Index;
        var dapil = Election.Contests[c].BallotOfVillage(Village)!.Dapil!.Index;
        Fold(Legislative("dprd_kab", _station, [5, 10, 20, 30, 1, 2, 3, 9, 0, 0, 0, 7]));
        var changes = Fold(Legislative("dprd_kab", _station, [0, 0, 0, 0, 40, 2, 3, 4, 0, 0, 0, 7]));

        Assert.Equal([1, 0, 56, 0, 0, 49, 7, 0], Totals(Election.FindRegion("6405")!.Value, c));
        Assert.Equal([0, 3, 0], _tally.Contests[c].Seats[dapil].Parties!.Seats.ToArray());
        var before = changes.Contests[c].Dapils[dapil];
        Assert.Equal([2, 1, 0], before.PreviousSeats!.Parties!.Seats.ToArray());
    }

    [Fact]
    public void CrossingTheThresholdMovesSeatsInADapilWhoseVotesDidNotChange()
    {
        var dpr = Election.FindContest("dpr")!;
        var aceh = dpr.FindDapil("1101")!;
        var kaltim = dpr.FindDapil("6401")!;
        // In Aceh I GERINDRA (2) has 40 of 230 votes, enough for a seat, but nationally 40 of
        // 1,230 (3.3 %): under the threshold it wins nothing.
        Fold(Legislative("dpr", SmallElection.Station("1101012001"), [100, 0, 0, 0, 40, 0, 0, 0, 90, 0, 0, 0]));
        Fold(Legislative("dpr", SmallElection.Station("6471012001"), [500, 0, 0, 0, 0, 0, 0, 0, 0, 0, 500, 0, 0, 0, 0]));
        Assert.Equal([2, 0, 1], _tally.Contests[dpr.Index].Seats[aceh.Index].Parties!.Seats.ToArray());
        var before = _tally.Contests[dpr.Index].DapilVersions[aceh.Index];

        // 20 votes for it in Kaltim take it to 60 of 1,250 (4.8 %): it takes a seat in Aceh I.
        var changes = Fold(Legislative("dpr", SmallElection.Station("6471012002"), [0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]));

        Assert.True(changes.Contests[dpr.Index].Dapils.ContainsKey(aceh.Index));
        Assert.True(_tally.Contests[dpr.Index].DapilVersions[aceh.Index] > before);
        Assert.Equal([1, 1, 1], _tally.Contests[dpr.Index].Seats[aceh.Index].Parties!.Seats.ToArray());
        Assert.True(changes.Contests[dpr.Index].Dapils.ContainsKey(kaltim.Index));
    }

    [Fact]
    public void FoldingFromScratchNewestFirstGivesWhatTheIncrementalFoldGives()
    {
        var other = SmallElection.Station("1101012001");
        StoredRevision[] revisions =
        [
            Revision(100, 50), Revision(7, 7, FormStatus.Quarantined, station: other), Revision(90, 70, invalid: 1),
            Revision(900, 1, FormStatus.Quarantined), Revision(8, 8, station: other),
            Legislative("dprd_kab", other, [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3]),
            Legislative("dprd_kab", other, [3, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3], FormStatus.Quarantined),
            Legislative("dpd", other, [4, 3, 2, 1, 0]),
        ];
        foreach (var revision in revisions) Fold(revision);
        var scratch = new Tally(Election, new AggregationState(0, "e1"));
        var fold = new ScratchFold(scratch);
        foreach (var revision in revisions.Reverse()) fold.Fold(revision);
        fold.ProjectSeats();

        for (var c = 0; c < Election.Contests.Count; c++)
        {
            Assert.Equal(_tally.Contests[c].RegionTotals, scratch.Contests[c].RegionTotals);
            Assert.Equal(_tally.Contests[c].DapilTotals, scratch.Contests[c].DapilTotals);
            Assert.Equal(_tally.Contests[c].StationState, scratch.Contests[c].StationState);
            Assert.Equal(_tally.Contests[c].CountedSeq, scratch.Contests[c].CountedSeq);
            Assert.Equal(_tally.Contests[c].Seats, scratch.Contests[c].Seats);
        }
        Assert.Equal(revisions.Length, fold.Checkpoint);
    }
}

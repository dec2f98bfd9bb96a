using Broadcast.Client;
using Broadcast.Results;

namespace Broadcast.Tests;

/// <summary>The .NET client's rules for applying frames (docs/api.md, "Applying deltas"), without a network.</summary>
public sealed class FeedStateTests
{
    private static ChildResults Child(string id, long reported, long a, long b) =>
        new(id, $"region {id}", "province", new StationCounts(10, reported, 0), new Dictionary<string, long> { ["01"] = a, ["02"] = b }, a + b, 0);

    private static ResultsSnapshot Snapshot(string epoch, long version, params ChildResults[] children) =>
        new("ppwp", new RegionRef("0", "Indonesia", "national"), [], epoch, version, new StationCounts(20, children.Sum(c => c.Stations.Reported), 0),
            Sum(children), children.Sum(c => c.Valid), 0, children, Chain: new ChainHead(version, Hash(version)));

    /// <summary>A chain hash that says which version it is of.</summary>
    private static string Hash(long version) => version.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);

    private static Dictionary<string, long> Sum(IEnumerable<ChildResults> children) => new()
    {
        ["01"] = children.Sum(c => c.Votes["01"]),
        ["02"] = children.Sum(c => c.Votes["02"]),
    };

    /// <summary>A packed Delta whose totals say its version (votes "01" = version), with these children.</summary>
    private static Delta Lean(long prev, long version, params PackedChild[] children) =>
        new("ppwp", "0", prev, version, PackedFrame.Write(new PackedTotals(0, 0, 20, version, 0, [version, 0]), Hash(version), children));

    private static FeedState Loaded(ResultsSnapshot snapshot, FeedView view = FeedView.Full)
    {
        var state = new FeedState(view);
        Assert.True(state.Load(snapshot));
        return state;
    }

    /// <summary>A child's values now, in a packed frame (votes "01", "02").</summary>
    private static PackedChild Values(int place, long reported, long a, long b) => new(place, true, reported, 0, a + b, 0, [a, b]);

    [Fact]
    public void FramesApplyInVersionOrderAndOldOnesAreIgnored()
    {
        var state = Loaded(Snapshot("e", 10, Child("1", 0, 0, 0), Child("2", 0, 0, 0)));
        var first = Lean(10, 12, Values(0, 1, 100, 50));
        var second = Lean(12, 15, Values(1, 1, 7, 9));

        Assert.Equal(FrameVerdict.Apply, state.Classify(first));
        Assert.True(state.Apply(first));
        Assert.Equal(FrameVerdict.Apply, state.Classify(second));
        Assert.True(state.Apply(second));

        Assert.Equal(FrameVerdict.Ignore, state.Classify(first)); // a duplicate, late
        Assert.Equal(FrameVerdict.Ignore, state.Classify(second));
        var held = state.Current!;
        Assert.Equal(15, held.Version);
        Assert.Equal(new ChainHead(15, Hash(15)), held.Chain);
        Assert.Equal(15, held.Votes["01"]); // totals are absolute: the frame's, not a sum
        Assert.Equal(["1", "2"], held.Children.Select(c => c.Id)); // replaced in place, order kept
        Assert.Equal([100L, 7L], held.Children.Select(c => c.Votes["01"]));
    }

    [Fact]
    public void ANewEpochsSnapshotWinsWhateverItsVersion()
    {
        var state = Loaded(Snapshot("old", 10));

        // After TotalsRebuilt: a rebuild may start its versions anywhere.
        Assert.True(state.Load(Snapshot("new", 3)));
        Assert.Equal(FrameVerdict.Apply, state.Classify(Lean(3, 4)));
    }

    [Fact]
    public void AnOlderSnapshotOfTheSameEpochNeverMovesTheStateBack()
    {
        var state = Loaded(Snapshot("e", 10, Child("1", 3, 30, 20)));

        Assert.False(state.Load(Snapshot("e", 9, Child("1", 2, 20, 10))));
        Assert.False(state.Load(Snapshot("e", 10, Child("1", 2, 20, 10))));
        Assert.Equal(30, state.Current!.Children[0].Votes["01"]);
        Assert.True(state.Load(Snapshot("e", 11, Child("1", 4, 40, 20))));
    }

    private const string Since = "2019-04-17T12:00:00.0000000+00:00";

    private static HeldNotice Notice(bool held, long seq = 40) => new("ppwp", "0", held, seq, Since);

    /// <summary>A held group's snapshot: as of the hold's seq, in the epoch of its own.</summary>
    private static ResultsSnapshot HeldSnapshot(string epoch, long seq, params ChildResults[] children) =>
        Snapshot(epoch + FeedState.HeldEpochSuffix, seq, children) with { Held = new HeldView(seq, Since) };

    [Fact]
    public void AHoldMarksTheResultsHeldWithoutMovingThemAndTheReleaseFrameMovesThemOn()
    {
        var state = Loaded(Snapshot("e", 30, Child("1", 3, 30, 20)));
        var before = state.Current!;

        Assert.True(state.Hold(Notice(true)));
        Assert.Equal(new HeldView(40, Since), state.Current!.Held);
        Assert.Equal(before with { Held = new HeldView(40, Since) }, state.Current);
        Assert.False(state.Hold(Notice(true))); // the same notice again moves nothing

        Assert.True(state.Hold(Notice(false)));
        Assert.Null(state.Current!.Held);
        // What moved during the hold, as one frame from the version held.
        var release = Lean(30, 55, Values(0, 5, 50, 25));
        Assert.Equal(FrameVerdict.Apply, state.Classify(release));
        Assert.True(state.Apply(release));
        Assert.Equal(55, state.Current!.Version);
        Assert.Null(state.Current.Held);
    }

    [Fact]
    public void ASnapshotTakenDuringAHoldIsHeldAndTheFreshOneAfterTheReleaseWinsWhateverItsVersion()
    {
        var state = Loaded(HeldSnapshot("e", 40, Child("1", 3, 30, 20)));
        Assert.Equal(new HeldView(40, Since), state.Current!.Held);
        Assert.Equal(FrameVerdict.Ignore, state.Classify(Lean(40, 45))); // held numbers move only after the release notice

        Assert.True(state.Hold(Notice(false)));
        // After TotalsRebuilt: a region whose numbers last moved at 25, below the hold's seq (the whole count's).
        Assert.True(state.Load(Snapshot("e", 25, Child("1", 3, 30, 20))));
        Assert.Null(state.Current!.Held);
        Assert.Equal(25, state.Current.Version);
        Assert.Equal(FrameVerdict.Apply, state.Classify(Lean(25, 60)));
    }

    [Fact]
    public void AHeldSnapshotOlderThanTheLiveResultsHeldIsRefusedAndAReleaseMissedWhileAwayIsTaken()
    {
        var state = Loaded(Snapshot("e", 55));
        Assert.False(state.Load(HeldSnapshot("e", 40)));
        Assert.Null(state.Current!.Held);

        var waiting = Loaded(Snapshot("e", 30));
        Assert.True(waiting.Load(HeldSnapshot("e", 40)));

        // Marked held, then the connection went and the release came meanwhile; nothing moved in
        // the group, so the snapshot on reconnecting has the version held, without the mark.
        var away = Loaded(Snapshot("e", 30));
        away.Hold(Notice(true));
        Assert.True(away.Load(Snapshot("e", 30)));
        Assert.Null(away.Current!.Held);
    }

    [Fact]
    public void AHeadlineViewKeepsTheHoldMark()
    {
        var state = Loaded(Snapshot("e", 30, Child("1", 3, 30, 20)), FeedView.Headline);
        Assert.True(state.Hold(Notice(true)));
        Assert.NotNull(state.Current!.Held);
        Assert.Empty(state.Current.Children);
    }

    [Fact]
    public void ALeanDeltaAddsIncrementsToItsChildrenOrReplacesThemByPlace()
    {
        var state = Loaded(Snapshot("e", 10, Child("1", 3, 30, 20), Child("2", 1, 5, 5), Child("3", 0, 0, 0)));
        var untouched = state.Current!.Children[1];

        Assert.True(state.Apply(Lean(10, 11,
            new PackedChild(0, Absolute: false, Reported: 1, Quarantined: 0, Valid: 5, Invalid: 0, Votes: [0, 5]),
            new PackedChild(2, Absolute: true, Reported: 2, Quarantined: 1, Valid: 13, Invalid: 4, Votes: [6, 7]))));

        var held = state.Current!;
        Assert.Equal((11L, 11L, Hash(11)), (held.Version, held.Votes["01"], held.Chain!.Hash));
        var added = held.Children[0];
        Assert.Equal(("region 1", 4L, 0L, 55L), (added.Name, added.Stations.Reported, added.Stations.Quarantined, added.Valid));
        Assert.Equal(new Dictionary<string, long> { ["01"] = 30, ["02"] = 25 }, added.Votes);
        Assert.Same(untouched, held.Children[1]);
        var replaced = held.Children[2];
        Assert.Equal((2L, 1L, 13L, 4L, 6L, 7L), (replaced.Stations.Reported, replaced.Stations.Quarantined, replaced.Valid, replaced.Invalid,
            replaced.Votes["01"], replaced.Votes["02"]));
        Assert.Equal(10, replaced.Stations.Total); // never in a frame
    }

    [Fact]
    public void ALeanDeltaAppliesOnlyOnTheVersionItStartsFromAndAnyOtherTakesAFreshSnapshot()
    {
        var state = Loaded(Snapshot("e", 10, Child("1", 3, 30, 20)));

        Assert.Equal(FrameVerdict.Apply, state.Classify(Lean(10, 12)));
        Assert.Equal(FrameVerdict.Ignore, state.Classify(Lean(8, 10))); // already held
        // Increments on top of another version would count twice or miss: never applied.
        Assert.Equal(FrameVerdict.Resync, state.Classify(Lean(11, 12))); // a gap
        Assert.Equal(FrameVerdict.Resync, state.Classify(Lean(8, 12)));  // starts before what is held
    }

    [Fact]
    public void ALeanDeltaThatDoesNotFitWhatIsHeldCannotApply()
    {
        var state = Loaded(Snapshot("e", 10, Child("1", 3, 30, 20)));

        Assert.False(state.Apply(Lean(10, 11, new PackedChild(1, false, 1, 0, 0, 0, [0, 0])))); // no child at place 1
        var threeChoices = new Delta("ppwp", "0", 10, 11, PackedFrame.Write(new PackedTotals(0, 0, 20, 1, 0, [1, 0, 0]), Hash(11), []));
        Assert.False(state.Apply(threeChoices));
        var cut = Lean(10, 11, new PackedChild(0, false, 1, 0, 0, 0, [1, 0]));
        Assert.False(state.Apply(cut with { Packed = cut.Packed[..^1] }));
        Assert.Equal(10, state.Current!.Version); // unchanged: only a fresh snapshot can tell the rest
    }

    [Fact]
    public void CandidatesAndSeatDapilsAreReplacedById()
    {
        CandidateResults Candidate(string id, long votes, bool elected) => new(id, "3", int.Parse(id[2..]), $"candidate {id}", votes, 1, elected);
        DapilSeatsView Dapil(string id, int won) => new(id, id, 3, new Dictionary<string, int> { ["3"] = won }, [], null, null);
        var snapshot = Snapshot("e", 10) with
        {
            Candidates = [Candidate("3.1", 100, true), Candidate("3.2", 50, false)],
            Seats = new SeatsView(6, new Dictionary<string, int> { ["3"] = 1 }, null, [Dapil("dapil:1", 1), Dapil("dapil:2", 0)]),
        };
        var state = Loaded(snapshot);

        Assert.True(state.Apply(Lean(10, 11) with
        {
            Candidates = [new CandidateChange("3.2", Votes: 150, Elected: true), new CandidateChange("3.1", Elected: false)],
            Seats = new SeatsView(6, new Dictionary<string, int> { ["3"] = 2 }, null, [Dapil("dapil:2", 1)]),
        }));

        var held = state.Current!;
        Assert.Equal([(100L, false), (150L, true)], held.Candidates!.Select(c => (c.Votes, c.Elected)));
        Assert.Equal(2, held.Seats!.Won["3"]);
        Assert.Equal([1, 1], held.Seats.Dapils.Select(d => d.Won["3"])); // dapil:1 kept, dapil:2 replaced
    }

    [Fact]
    public void AHeadlineViewHoldsTotalsOnlyAndAFullViewLetsHeadlinesPass()
    {
        var snapshot = Snapshot("e", 10, Child("1", 3, 30, 20)) with
        {
            Seats = new SeatsView(6, new Dictionary<string, int> { ["3"] = 1 }, null, [new("dapil:1", "1", 6, new Dictionary<string, int>(), [], null, null)]),
        };
        var headline = new Headline("ppwp", "0", 10, 11, PackedFrame.Write(new PackedTotals(4, 0, 20, 51, 0, [31, 20])));

        var cut = Loaded(snapshot, FeedView.Headline);
        Assert.Empty(cut.Current!.Children);
        Assert.Empty(cut.Current.Seats!.Dapils);
        Assert.True(cut.Apply(headline));
        Assert.Equal((11L, 31L), (cut.Current.Version, cut.Current.Votes["01"]));
        Assert.Null(cut.Current.Chain); // headlines leave the chain out: the old link would name the wrong version

        // Whole: it applies over any version below its own, even one it does not start from.
        Assert.Equal(FrameVerdict.Apply, cut.Classify(headline with { PrevVersion = 12, Version = 14 }));

        var full = Loaded(snapshot);
        Assert.Equal(FrameVerdict.Ignore, full.Classify(headline)); // its children would go stale
    }

    [Fact]
    public void ReconnectDelaysGrowWithJitterUpToTheirCap()
    {
        var initial = TimeSpan.FromMilliseconds(500);
        var max = TimeSpan.FromSeconds(10);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var cap = Math.Min(max.TotalMilliseconds, 500 * Math.Pow(2, attempt));
            for (var i = 0; i < 50; i++)
            {
                var delay = Backoff.Delay(attempt, initial, max).TotalMilliseconds;
                Assert.InRange(delay, cap / 2, cap);
            }
        }
    }
}

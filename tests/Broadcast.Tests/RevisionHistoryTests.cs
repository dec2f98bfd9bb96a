using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.History;
using Broadcast.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Broadcast.Tests;

/// <summary>The revision log in memory and the totals as of a past moment folded out of it.</summary>
public sealed class RevisionHistoryTests
{
    private static readonly Election Election = SmallElection.Election;
    private static readonly DateTimeOffset Night = new(2024, 2, 14, 13, 0, 0, TimeSpan.FromHours(7));

    private static RevisionHistory History(int indexMegabytes = 256) =>
        // No store: the tests append what a catch-up would have read.
        new(null!, Election, Options.Create(new HistoryOptions { IndexMegabytes = indexMegabytes }), NullLogger<RevisionHistory>.Instance);

    private static StoredRevision Revision(long seq, DateTimeOffset received, string contest = "ppwp", string? station = null,
        FormStatus status = FormStatus.Counted, int[]? votes = null)
    {
        station ??= SmallElection.Station("6405012001");
        votes ??= [100, 50];
        return new StoredRevision(seq, contest, station, 1, new FormNumbers(votes, votes.Sum(), 2, votes.Sum() + 2), status, [], null, received);
    }

    /// <summary>
    /// Revisions of every kind (first forms, corrections, quarantined ones then accepted or
    /// rejected) of the presidential and two legislative contests, folded run by run by the live
    /// aggregator's fold: after every revision, the totals as of its seq, folded newest first out
    /// of the history, are the live ones exactly (every region, dapil, station and seat).
    /// </summary>
    [Fact]
    public void TheTotalsAsOfEverySeqAreTheLiveFoldsAtThatSeq()
    {
        var random = new Random(12);
        var tally = new Tally(Election, new AggregationState(0, "e"));
        var history = History();
        var stored = new Dictionary<long, StoredRevision>();
        var latest = new Dictionary<(string, int), FormStatus>();
        string[] contests = ["ppwp", "dpr", "dprd_kab"];
        for (long seq = 1; seq <= 400; seq++)
        {
            var contest = Election.FindContest(contests[random.Next(contests.Length)])!;
            var station = random.Next(Election.Stations.Count);
            if (contest.BallotOfVillage(Election.Stations.Village[station]) is not { } ballot) { seq--; continue; }
            // An operator decides only on a held revision; counting apps send counted or held ones.
            var status = latest.GetValueOrDefault((contest.Id, station)) == FormStatus.Quarantined && random.Next(3) == 0
                ? (random.Next(2) == 0 ? FormStatus.Rejected : FormStatus.Counted)
                : random.Next(4) == 0 ? FormStatus.Quarantined : FormStatus.Counted;
            latest[(contest.Id, station)] = status;
            var revision = Revision(seq, Night.AddSeconds(seq), contest.Id, Election.StationId(station), status,
                Enumerable.Range(0, ballot.Width).Select(_ => random.Next(60)).ToArray());
            stored[seq] = revision;

            var replaced = TallyRun.CountedSeqsToRead(tally, [revision]).ToDictionary(s => s, s => stored[s].Numbers);
            var run = new TallyRun(tally, replaced);
            run.Fold(revision);
            run.ProjectSeats();
            tally.Apply(run, new AggregationState(seq, "e"));
            history.Append([revision]);

            foreach (var live in tally.Contests)
            {
                var asOf = new ContestTally(live.Contest, Election.Regions.Count, Election.Stations.Count);
                history.FoldInto(asOf, seq);
                Assert.Equal(live.RegionTotals, asOf.RegionTotals);
                Assert.Equal(live.DapilTotals, asOf.DapilTotals);
                Assert.Equal(live.StationState, asOf.StationState);
                Assert.Equal(live.CountedSeq, asOf.CountedSeq);
                Assert.Equal(live.Seats, asOf.Seats);
            }
        }
        Assert.Contains(FormStatus.Rejected, stored.Values.Select(r => r.Status));
    }

    [Fact]
    public void AnEarlierSeqLeavesOutEveryLaterRevision()
    {
        var history = History();
        history.Append([Revision(1, Night), Revision(2, Night, votes: [90, 70]), Revision(3, Night, status: FormStatus.Quarantined, votes: [900, 70])]);
        long[] National(long seq)
        {
            var totals = new ContestTally(Election.Contests[0], Election.Regions.Count, Election.Stations.Count);
            history.FoldInto(totals, seq);
            return totals.Region(RegionTree.National).ToArray();
        }
        Assert.Equal([0, 0, 0, 0, 0, 0], National(0));
        Assert.Equal([1, 0, 150, 2, 100, 50], National(1));
        Assert.Equal([1, 0, 160, 2, 90, 70], National(2));
        Assert.Equal([1, 1, 160, 2, 90, 70], National(3));
    }

    [Fact]
    public void ASeqIsFinalOnceStoredAndBeyondBeforeThat()
    {
        var history = History();
        Assert.Equal(0, history.ResolveSeq(0).Seq);
        Assert.True(history.ResolveSeq(0).Final);
        Assert.True(history.ResolveSeq(1).IsBeyond);

        history.Append([Revision(1, Night), Revision(2, Night.AddSeconds(1)), Revision(5, Night.AddSeconds(2))]);
        Assert.Equal(new LogPoint(2, Night.AddSeconds(1)), history.ResolveSeq(2).Last);
        // seq 4 was never given (a rolled-back reservation): every revision up to it is seq 2's moment.
        Assert.Equal(2, history.ResolveSeq(4).Seq);
        Assert.True(history.ResolveSeq(4).Final);
        Assert.Equal(5, history.ResolveSeq(5).Seq);
        Assert.True(history.ResolveSeq(6).IsBeyond);
    }

    [Fact]
    public void ATimeIsTheRevisionsReceivedByThenAndFinalOnceALaterOneIsStored()
    {
        var history = History();
        Assert.False(history.ResolveTime(Night).Final);
        Assert.Null(history.ResolveTime(Night).Last);

        history.Append([Revision(1, Night), Revision(2, Night.AddSeconds(1)), Revision(3, Night.AddSeconds(1)), Revision(4, Night.AddSeconds(3))]);
        Assert.Equal(0, history.ResolveTime(Night.AddMilliseconds(-1)).Seq);
        Assert.True(history.ResolveTime(Night.AddMilliseconds(-1)).Final);
        Assert.Equal(1, history.ResolveTime(Night.AddMilliseconds(999)).Seq);
        Assert.Equal(3, history.ResolveTime(Night.AddSeconds(1)).Seq);
        Assert.Equal(3, history.ResolveTime(Night.AddSeconds(2)).Seq);
        Assert.True(history.ResolveTime(Night.AddSeconds(2)).Final);
        // At or after the latest revision: everything so far, which may still grow.
        Assert.Equal(4, history.ResolveTime(Night.AddSeconds(3)).Seq);
        Assert.False(history.ResolveTime(Night.AddSeconds(3)).Final);
        Assert.Equal(new LogPoint(4, Night.AddSeconds(3)), history.Latest);
        Assert.Equal(new LogPoint(1, Night), history.First);
    }

    [Fact]
    public void ARevisionStampedEarlierThanOneBeforeItWaitsForThatOne()
    {
        // Two nodes whose clocks disagree: seq 2 was stamped 5 s after seq 3.
        var history = History();
        history.Append([Revision(1, Night), Revision(2, Night.AddSeconds(5)), Revision(3, Night.AddSeconds(2))]);
        // Received by +2 s: seq 3 was, but seq 2 (before it in the log) was not; the moment stops before seq 2.
        Assert.Equal(1, history.ResolveTime(Night.AddSeconds(2)).Seq);
        Assert.Equal(new LogPoint(3, Night.AddSeconds(5)), history.ResolveTime(Night.AddSeconds(5)).Last);
    }

    [Fact]
    public void ContestsBeyondTheMemoryBudgetAreFoldedFromTheStore()
    {
        Assert.True(History().IsIndexed(Election.FindContest("dprd_kab")!));
        var none = History(indexMegabytes: 0);
        Assert.All(Election.Contests, c => Assert.False(none.IsIndexed(c)));
        none.Append([Revision(1, Night)]);
        Assert.Equal(1, none.ResolveSeq(1).Seq);
    }

    [Theory]
    [InlineData("seq:0", 0L, null)]
    [InlineData("seq:123456", 123456L, null)]
    [InlineData("2019-04-17T21:00:00+07:00", null, "2019-04-17T14:00:00Z")]
    [InlineData("2019-04-17T21:00:00 07:00", null, "2019-04-17T14:00:00Z")] // '+' read as a space in a query string
    [InlineData("2019-04-17T14:00:00.250Z", null, "2019-04-17T14:00:00.25Z")]
    [InlineData("2019-04-17T21:00-03:30", null, "2019-04-18T00:30:00Z")]
    public void AsOfValuesParse(string text, long? seq, string? utc)
    {
        Assert.True(AsOfQuery.TryParse(text, out var query, out var error), error);
        Assert.Equal(seq, query.Seq);
        Assert.Equal(utc is null ? null : DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), query.Time);
    }

    [Theory]
    [InlineData("", "neither")]
    [InlineData("seq:", "not a seq")]
    [InlineData("seq:-1", "not a seq")]
    [InlineData("seq:12a", "not a seq")]
    [InlineData("seq:99999999999999999999", "not a seq")]
    [InlineData("2019-04-17T21:00:00", "has no offset")]
    [InlineData("2019-04-17 21:00:00+07:00", "neither")]
    [InlineData("2019-02-30T21:00:00+07:00", "neither")]
    [InlineData("yesterday", "neither")]
    public void BadAsOfValuesSayWhatToWrite(string text, string says)
    {
        Assert.False(AsOfQuery.TryParse(text, out _, out var error));
        Assert.Contains(says, error);
    }

    [Fact]
    public void AnOverlongAsOfIsNotEchoed()
    {
        Assert.False(AsOfQuery.TryParse(new string('9', 5000), out _, out var error));
        Assert.DoesNotContain("9999", error);
    }
}

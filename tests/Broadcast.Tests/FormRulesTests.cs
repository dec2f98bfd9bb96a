using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.Storage;

namespace Broadcast.Tests;

public sealed class FormRulesTests
{
    private static readonly RulesOptions Rules = new();
    private static readonly Election Election = SmallElection.Election;
    private static readonly string Station = SmallElection.Station("6405012001");
    private const int Dpt = 300;

    private static (FormStatus, IReadOnlyList<string>) Check(string station, int a, int b, int valid, int invalid, int total, string contest = "ppwp")
    {
        var index = Election.FindStation(station)!.Value;
        var c = Election.FindContest(contest)!;
        var ballot = c.BallotOfVillage(Election.Stations.Village[index])!;
        // PPWP: the two pairs; a legislative ballot: a to its first entry, b to its last.
        var votes = new int[ballot.Width];
        votes[0] += a;
        votes[^1] += b;
        return FormRules.Check(new SubmittedForm(station, index, c, ballot, new FormNumbers(votes, valid, invalid, total)), Election, Rules);
    }

    private static void AssertOutcome(FormStatus status, string[] problems, (FormStatus Status, IReadOnlyList<string> Problems) actual)
    {
        Assert.Equal(status, actual.Status);
        Assert.Equal(problems, actual.Problems);
    }

    [Fact]
    public void AFormThatAddsUpIsCountedWithoutProblems() =>
        AssertOutcome(FormStatus.Counted, [], Check(Station, 100, 50, 150, 3, 153));

    [Fact]
    public void VotesNotAddingUpToValidAreQuarantinedAsR1() =>
        AssertOutcome(FormStatus.Quarantined, ["R1"], Check(Station, 172, 50, 122, 3, 125)); // 72 typed as 172

    [Fact]
    public void ValidTotalTypedIntoACandidatesBoxIsQuarantined() =>
        Assert.Equal(FormStatus.Quarantined, Check(Station, 150, 50, 150, 3, 153).Item1);

    [Fact]
    public void BallotsNotAddingUpAreCountedButFlaggedR2() =>
        AssertOutcome(FormStatus.Counted, ["R2"], Check(Station, 100, 50, 150, 3, 160));

    [Fact]
    public void MoreBallotsThanRegisteredVotersPlusAllowanceAreQuarantinedAsR3()
    {
        var limit = Dpt + (int)Math.Ceiling(Dpt * 0.02) + 10;
        Assert.Equal(FormStatus.Counted, Check(Station, limit, 0, limit, 0, limit).Item1);
        AssertOutcome(FormStatus.Quarantined, ["R3"], Check(Station, limit + 1, 0, limit + 1, 0, limit + 1));
    }

    [Fact]
    public void AStrayLeadingDigitBreaksR3() =>
        Assert.Contains("R3", Check(Station, 800, 11, 811, 0, 811).Item2); // 11 typed as 811

    [Fact]
    public void ATypoInTheInvalidBoxCannotAddBallotsBeyondTheVoters() =>
        AssertOutcome(FormStatus.Quarantined, ["R2", "R3"], Check(Station, 73, 103, 176, 5200, 182)); // 6 typed as 5200

    [Fact]
    public void PartyTotalsNotAddingUpToValidAreQuarantinedAsP1()
    {
        AssertOutcome(FormStatus.Counted, [], Check(Station, 100, 50, 150, 3, 153, contest: "dprd_kab"));
        AssertOutcome(FormStatus.Quarantined, ["P1"], Check(Station, 172, 50, 122, 3, 125, contest: "dprd_kab"));
    }

    [Fact]
    public void WhereTheDptIsUnknownAtHomeTheLegalMaximumApplies()
    {
        var election = TestElection.Pemilu2024;
        var station = Enumerable.Range(0, election.Stations.Count).First(s => election.Stations.RegisteredVoters[s] < 0 && !election.IsOverseas(election.Stations.Village[s]));
        Assert.Equal((300L + 6 + 10, "R3"), FormRules.VoterLimit(station, election, Rules));
    }

    [Theory]
    [InlineData(SmallElection.AbroadPolling, 3_000)]
    [InlineData(SmallElection.AbroadPostal, 5_000)]
    [InlineData(SmallElection.AbroadMobileBox, 1_500)]
    public void AbroadEachKindOfStationHasItsBoundAndAboveItIsQuarantinedAsR4(string station, int bound)
    {
        Assert.Equal(FormStatus.Counted, Check(station, bound, 0, bound, 0, bound).Item1);
        AssertOutcome(FormStatus.Quarantined, ["R4"], Check(station, bound + 1, 0, bound + 1, 0, bound + 1));
        // One overseas form can no longer add 100,000 votes (issue 9).
        AssertOutcome(FormStatus.Quarantined, ["R4"], Check(station, 100_000, 0, 100_000, 0, 100_000, contest: "dpr"));
    }
}

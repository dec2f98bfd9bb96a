using Broadcast.Ingest;
using Broadcast.Storage;

namespace Broadcast.Tests;

public sealed class FormRulesTests
{
    private static readonly RulesOptions Rules = new();

    private static (FormStatus, IReadOnlyList<string>) Check(int station, int a, int b, int valid, int invalid, int total)
    {
        var election = TestElection.Pilpres2019;
        var form = new SubmittedForm(election.StationId(station), station, election.Contests[0], new FormNumbers([a, b], valid, invalid, total));
        return FormRules.Check(form, election, Rules);
    }

    private static int Station => TestElection.Pilpres2019.Station(0);
    private static int Dpt => TestElection.Pilpres2019.Stations.RegisteredVoters[Station];

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
    public void WhereTheDptIsUnknownAtHomeTheLegalMaximumApplies()
    {
        var election = TestElection.Pemilu2024;
        var station = Enumerable.Range(0, election.Stations.Count).First(s => election.Stations.RegisteredVoters[s] < 0 && !election.IsOverseas(election.Stations.Village[s]));
        Assert.Equal(300 + 6 + 10, FormRules.VoterLimit(station, election, Rules));
    }

    [Fact]
    public void AbroadWithoutDptNoVoterLimitApplies()
    {
        var election = TestElection.Pilpres2019;
        Assert.Null(FormRules.VoterLimit(election.FindStation("-991304.1")!.Value, election, Rules));
    }
}

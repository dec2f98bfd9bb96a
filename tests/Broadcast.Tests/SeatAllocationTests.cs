using Broadcast.Seats;

namespace Broadcast.Tests;

/// <summary>Seat projection: Sainte-Laguë per dapil, the DPR threshold, candidates within a party, DPD.</summary>
public sealed class SeatAllocationTests
{
    private const int Pkb = 1, Gerindra = 2, Pdip = 3, Golkar = 4, NasDem = 5, Pks = 8, Pan = 12, Demokrat = 14;

    private static readonly Lazy<bool[]> DprEligible = new(() =>
    {
        // Party slots are in the same order (ballot numbers 1–17, 24) in every dapil of the file.
        var numbers = LegislativeData.Dpr2024[0].PartyNumbers;
        Assert.All(LegislativeData.Dpr2024, d => Assert.Equal(numbers, d.PartyNumbers));
        var national = numbers.Select((_, slot) => LegislativeData.Dpr2024.Sum(d => d.Votes[slot])).ToArray();
        var passes = new bool[national.Length];
        VoteThreshold.Dpr.Apply(national, national.Sum(), passes);
        return passes;
    });

    private static DapilSeats Allocate(DprDapil dapil, long[]? votes = null) =>
        SainteLague.Allocate(votes ?? dapil.Votes, DprEligible.Value, dapil.Seats, dapil.PartyNumbers);

    private static DprDapil Dapil(string code) => LegislativeData.Dpr2024.Single(d => d.Code == code);

    // Small dapils: slot i has ballot number i + 1 unless given.
    private static DapilSeats Allocate(long[] votes, int seats, int[]? ballotNumbers = null, bool[]? eligible = null) =>
        SainteLague.Allocate(votes, eligible ?? votes.Select(_ => true).ToArray(), seats, ballotNumbers ?? votes.Select((_, i) => i + 1).ToArray());

    [Fact]
    public void OfficialVotesGiveTheOfficialSeatsInEveryDprDapil()
    {
        Assert.Equal(84, LegislativeData.Dpr2024.Count);
        Assert.Equal(new[] { Pkb, Gerindra, Pdip, Golkar, NasDem, Pks, Pan, Demokrat },
            LegislativeData.Dpr2024[0].PartyNumbers.Where((_, slot) => DprEligible.Value[slot]));

        var national = new Dictionary<int, int>();
        foreach (var dapil in LegislativeData.Dpr2024)
        {
            var seats = Allocate(dapil);
            Assert.True(dapil.OfficialSeats.SequenceEqual(seats.Seats), $"{dapil.Code}: official [{string.Join(", ", dapil.OfficialSeats)}], allocated {seats}");
            for (var slot = 0; slot < seats.Seats.Length; slot++)
                national[dapil.PartyNumbers[slot]] = national.GetValueOrDefault(dapil.PartyNumbers[slot]) + seats.Seats[slot];
        }

        Assert.Equal(580, national.Values.Sum());
        Assert.Equal(new Dictionary<int, int> { [Pdip] = 110, [Golkar] = 102, [Gerindra] = 86, [NasDem] = 69, [Pkb] = 68, [Pks] = 53, [Pan] = 48, [Demokrat] = 44 },
            national.Where(p => p.Value > 0).ToDictionary());
    }

    [Theory]
    [InlineData("3602", Pdip, 1, 142_154, Demokrat, 1, 142_129, 26)]   // Banten II
    [InlineData("6401", Pan, 1, 111_139, Demokrat, 1, 110_797, 343)]   // Kalimantan Timur
    [InlineData("3201", Golkar, 3, 122_017, NasDem, 1, 121_629, 389)]  // Jawa Barat I
    [InlineData("5201", Pks, 1, 97_096, Pan, 1, 96_648, 449)]          // NTB I
    [InlineData("3504", Gerindra, 3, 113_976, Pan, 1, 113_162, 815)]   // Jawa Timur IV
    [InlineData("3310", Pks, 1, 122_066, Pan, 1, 121_128, 939)]        // Jawa Tengah X
    [InlineData("3508", Pdip, 3, 109_307, NasDem, 3, 108_859, 1_344)]  // Jawa Timur VIII
    [InlineData("7601", Pan, 1, 101_646, Golkar, 1, 99_793, 1_853)]    // Sulawesi Barat: the README says 1,854, see below
    public void ClosestLastSeatsMatchTheDataReadme(string code, int lastParty, int lastDivisor, long lastWhole, int runnerUpParty, int runnerUpDivisor, long runnerUpWhole, long needed)
    {
        var dapil = Dapil(code);
        var seats = Allocate(dapil);

        var last = Assert.NotNull(seats.LastSeat);
        Assert.Equal((lastParty, lastDivisor, lastWhole), (dapil.PartyNumbers[last.Slot], last.Quotient.Divisor, last.Quotient.WholePart));
        Assert.Equal(dapil.Votes[last.Slot], last.Quotient.Votes);
        var runnerUp = Assert.NotNull(seats.RunnerUp);
        Assert.Equal((runnerUpParty, runnerUpDivisor, runnerUpWhole, needed),
            (dapil.PartyNumbers[runnerUp.Slot], runnerUp.NextQuotient.Divisor, runnerUp.NextQuotient.WholePart, runnerUp.VotesNeeded));
    }

    [Fact]
    public void InSulawesiBaratGolkarNeedsOneVoteLessThanTheReadmeSaysSinceItWinsTheTieAtEqualVotes()
    {
        // The README counts the votes to get strictly ahead (1,854). At 101,646 each, both on
        // divisor 1, our tie rule gives the seat to the smaller ballot number: Golkar (4), not PAN (12).
        var dapil = Dapil("7601");
        var (pan, golkar) = (dapil.Slot(Pan), dapil.Slot(Golkar));
        Assert.Equal(101_646, dapil.Votes[golkar] + 1_853);

        var level = Allocate(dapil, WithExtraVotes(dapil.Votes, golkar, 1_853));
        var oneShort = Allocate(dapil, WithExtraVotes(dapil.Votes, golkar, 1_852));

        Assert.Equal(Allocate(dapil).Seats[golkar] + 1, level.Seats[golkar]);
        Assert.Equal(Allocate(dapil).Seats[pan] - 1, level.Seats[pan]);
        Assert.True(oneShort.HasSameSeats(Allocate(dapil)));
    }

    [Fact]
    public void TheReadmesEightAreTheClosestLastSeatsInTheCountry()
    {
        var closest = LegislativeData.Dpr2024.OrderBy(d => Allocate(d).RunnerUp!.Value.VotesNeeded).Take(8).Select(d => d.Code);
        Assert.Equal(["3602", "6401", "3201", "5201", "3504", "3310", "3508", "7601"], closest);
    }

    [Fact]
    public void AddingTheMarginToTheRunnerUpInBantenIIGivesItTheLastSeat()
    {
        var dapil = Dapil("3602");
        var before = Allocate(dapil);
        var (pdip, demokrat) = (dapil.Slot(Pdip), dapil.Slot(Demokrat));

        var after = Allocate(dapil, WithExtraVotes(dapil.Votes, demokrat, before.RunnerUp!.Value.VotesNeeded));

        Assert.Equal(before.Seats[demokrat] + 1, after.Seats[demokrat]);
        Assert.Equal(before.Seats[pdip] - 1, after.Seats[pdip]);
        Assert.Equal(demokrat, after.LastSeat!.Value.Slot);
    }

    [Fact]
    public void OneVoteFewerThanTheMarginLeavesBantenIIUnchanged()
    {
        var dapil = Dapil("3602");
        var before = Allocate(dapil);

        var after = Allocate(dapil, WithExtraVotes(dapil.Votes, dapil.Slot(Demokrat), before.RunnerUp!.Value.VotesNeeded - 1));

        Assert.True(after.HasSameSeats(before));
        Assert.Equal(dapil.Slot(Pdip), after.LastSeat!.Value.Slot);
        Assert.Equal(1, after.RunnerUp!.Value.VotesNeeded);
    }

    [Fact]
    public void VotesNeededIsAlwaysTheSmallestAdditionThatWinsTheRunnerUpASeat()
    {
        var random = new Random(2024);
        for (var trial = 0; trial < 2000; trial++)
        {
            // Small, clumped numbers so that equal quotients and equal votes happen often.
            var votes = Enumerable.Range(0, random.Next(2, 6)).Select(_ => random.Next(4) == 0 ? 0L : 30L * random.Next(1, 12)).ToArray();
            var numbers = Enumerable.Range(1, votes.Length).OrderBy(_ => random.Next()).ToArray();
            var seats = random.Next(1, 9);
            var before = Allocate(votes, seats, numbers);
            if (before.RunnerUp is not { } runnerUp) continue;

            var enough = Allocate(WithExtraVotes(votes, runnerUp.Slot, runnerUp.VotesNeeded), seats, numbers);
            var oneShort = Allocate(WithExtraVotes(votes, runnerUp.Slot, runnerUp.VotesNeeded - 1), seats, numbers);

            Assert.True(enough.Seats[runnerUp.Slot] > before.Seats[runnerUp.Slot], $"votes [{string.Join(", ", votes)}], {before}");
            Assert.True(oneShort.HasSameSeats(before), $"votes [{string.Join(", ", votes)}], {before}");
            // Nobody else gets there with fewer votes either.
            for (var other = 0; other < votes.Length; other++)
                if (other != before.LastSeat!.Value.Slot)
                    Assert.True(Allocate(WithExtraVotes(votes, other, runnerUp.VotesNeeded - 1), seats, numbers).HasSameSeats(before),
                        $"votes [{string.Join(", ", votes)}], {before}, slot {other}");
        }
    }

    [Fact]
    public void TheRunnerUpIsThePartyNeedingFewestVotesNotTheOneWithTheHighestNextQuotient()
    {
        // Seats: A 4,950, A 1,650, then C 1,000 (last). A's next claim 4,950/5 = 990 beats B's
        // 980/1, but A needs 50 votes (5 per unit of quotient) and B only 20 (at 1,000/1 the tie
        // of quotients and of votes goes to B's smaller ballot number).
        var seats = Allocate([4_950, 980, 1_000], 3, ballotNumbers: [2, 1, 3]);

        Assert.Equal<int>([2, 0, 1], seats.Seats);
        Assert.Equal(new LastSeat(2, new Quotient(1_000, 1)), seats.LastSeat);
        Assert.Equal(new RunnerUp(1, new Quotient(980, 1), 20), seats.RunnerUp);
    }

    [Fact]
    public void SeatsAreAwardedInOrderOfQuotient()
    {
        var seats = Allocate([1_000, 450, 210], 4);
        // 1,000/1, 450/1, 1,000/3 = 333.3, then 210/1 beats 1,000/5 = 200 and 450/3 = 150.
        Assert.Equal<int>([0, 1, 0, 2], seats.AwardOrder);
        Assert.Equal<int>([2, 1, 1], seats.Seats);
    }

    [Fact]
    public void EqualQuotientsGoToThePartyWithMoreVotesWhateverItsBallotNumber()
    {
        // Second seat: 300/3 = 100/1; A (300 votes) beats B (100 votes) despite ballot number 9.
        var seats = Allocate([300, 100], 2, ballotNumbers: [9, 1]);

        Assert.Equal<int>([2, 0], seats.Seats);
        Assert.Equal(new LastSeat(0, new Quotient(300, 3)), seats.LastSeat);
        // B at 100/1 would tie A's 300/3 again, but with fewer votes: one more vote is needed.
        Assert.Equal(1, seats.RunnerUp!.Value.VotesNeeded);
    }

    [Fact]
    public void EqualQuotientsAndVotesGoToTheSmallerBallotNumber()
    {
        var seats = Allocate([100, 100], 1, ballotNumbers: [7, 3]);

        Assert.Equal<int>([0, 1], seats.Seats);
        Assert.Equal(new RunnerUp(0, new Quotient(100, 1), 1), seats.RunnerUp);
    }

    [Fact]
    public void ARunnerUpWithMoreVotesWinsAnEqualQuotientSoNeedsNoExtraVoteForIt()
    {
        // B 150 takes the first seat, A 100/1 the last. B needs 150: at 300/3 = 100/1 it has more votes.
        var seats = Allocate([100, 150], 2);
        Assert.Equal(new RunnerUp(1, new Quotient(150, 3), 150), seats.RunnerUp);

        Assert.Equal<int>([0, 2], Allocate([100, 300], 2).Seats);
        Assert.Equal<int>([1, 1], Allocate([100, 299], 2).Seats);
    }

    [Fact]
    public void NoVotesAtAllAwardNoSeatAndNameNoLastSeat()
    {
        var seats = Allocate([0, 0, 0], 6);

        Assert.Equal<int>([0, 0, 0], seats.Seats);
        Assert.Empty(seats.AwardOrder);
        Assert.Null(seats.LastSeat);
        Assert.Null(seats.RunnerUp);
    }

    [Fact]
    public void ZeroSeatsAwardNothing()
    {
        var seats = Allocate([500, 300], 0);
        Assert.Equal<int>([0, 0], seats.Seats);
        Assert.Null(seats.LastSeat);
        Assert.Null(seats.RunnerUp);
    }

    [Fact]
    public void ASingleEligiblePartyTakesEverySeatAndHasNoRunnerUp()
    {
        var seats = Allocate([500, 900, 300], 3, eligible: [true, false, false]);

        Assert.Equal<int>([3, 0, 0], seats.Seats);
        Assert.Equal(new LastSeat(0, new Quotient(500, 5)), seats.LastSeat);
        Assert.Null(seats.RunnerUp);
    }

    [Fact]
    public void AnIneligiblePartyWinsNoSeatAndIsNotTheRunnerUp()
    {
        var seats = Allocate([1_000, 990, 400], 2, eligible: [true, false, true]);

        Assert.Equal<int>([1, 0, 1], seats.Seats);
        // 990 votes would be the runner-up if it could win; A needs 200 (1,200/3 ties 400/1 with more votes).
        Assert.Equal(new LastSeat(2, new Quotient(400, 1)), seats.LastSeat);
        Assert.Equal(new RunnerUp(0, new Quotient(1_000, 3), 200), seats.RunnerUp);
    }

    [Fact]
    public void MoreSeatsThanPartiesWithVotesGiveAPartySeveralSeats()
    {
        // Awards: A 1,000/1, C 600/1, A 1,000/3, A 1,000/5 (= 600/3, more votes), C 600/3.
        // B, eligible without votes, never takes a seat but is the runner-up: 201 votes beat
        // 600/3 = 200 (200 would tie it with fewer votes); A would need 400 (1,400/7).
        var seats = Allocate([1_000, 0, 600], 5);

        Assert.Equal<int>([3, 0, 2], seats.Seats);
        Assert.Equal<int>([0, 2, 0, 0, 2], seats.AwardOrder);
        Assert.Equal(new LastSeat(2, new Quotient(600, 3)), seats.LastSeat);
        Assert.Equal(new RunnerUp(1, new Quotient(0, 1), 201), seats.RunnerUp);
    }

    [Fact]
    public void ABallotNumberGivenTwiceIsRejectedSinceTiesCouldNotBeSettled()
    {
        Assert.Throws<ArgumentException>(() => Allocate([100, 100], 1, ballotNumbers: [3, 3]));
        Assert.Throws<ArgumentException>(() => CandidateElection.ElectDpd([5, 4, 3, 2, 1], [1, 2, 3, 4, 1]));
    }

    [Fact]
    public void ResultsOfEqualVotesAreEqualAndAMovedSeatIsNot()
    {
        var first = Allocate([1_000, 600, 300], 4);
        var again = Allocate([1_000, 600, 300], 4);
        var closer = Allocate([1_000, 600, 310], 4);
        var moved = Allocate([1_000, 950, 300], 4);

        Assert.Equal(first, again);
        Assert.Equal(first.GetHashCode(), again.GetHashCode());
        Assert.NotEqual(first, closer);
        Assert.True(closer.HasSameSeats(first));
        Assert.False(moved.HasSameSeats(first));
    }

    [Fact]
    public void APartyExactlyAtTheThresholdPassesAndOneVoteBelowFails()
    {
        // 4 % of 151,797,292 is 6,071,891.68: floating point would make this boundary a guess.
        Assert.True(VoteThreshold.Dpr.Passes(6_071_892, 151_797_292));
        Assert.False(VoteThreshold.Dpr.Passes(6_071_891, 151_797_292));
        Assert.True(VoteThreshold.Dpr.Passes(40, 1_000));
        Assert.False(VoteThreshold.Dpr.Passes(39, 1_000));
    }

    [Fact]
    public void WithNoValidVotesNobodyPassesTheThreshold()
    {
        var passes = new bool[2];
        VoteThreshold.Dpr.Apply([0, 0], 0, passes);
        Assert.Equal([false, false], passes);
    }

    [Fact]
    public void APartysSeatsGoToItsCandidatesWithTheMostVotesAndTiesToTheSmallerListNumber()
    {
        // List numbers 1..5; candidates 2 and 4 (list 3 and 5) tie at 800 for the second seat.
        var ranking = CandidateElection.ElectFromPartyList([500, 900, 800, 100, 800], [1, 2, 3, 4, 5], seatsWon: 2);

        Assert.Equal<int>([1, 2, 4, 0, 3], ranking.Order);
        Assert.Equal<int>([4, 1, 2, 5, 3], ranking.Rank);
        Assert.True(ranking.IsElected(2));
        Assert.False(ranking.IsElected(4));
        Assert.Equal(4, ranking.Next);
        Assert.Equal(new CandidateMargin(2, 4, 1), ranking.Margin);
    }

    [Fact]
    public void DpdElectsTheTopFourWithATieAtFourthPlaceGoingToTheSmallerBallotNumber()
    {
        // Ballot 2 and ballot 7 tie at 250 for the fourth seat; ballot 2 takes it, ballot 7 needs one vote.
        var ranking = CandidateElection.ElectDpd([500, 250, 400, 300, 250, 100], [1, 7, 3, 4, 2, 6]);

        Assert.Equal(4, ranking.ElectedCount);
        Assert.Equal([0, 2, 3, 4], ranking.Order.Take(4));
        Assert.Equal(new CandidateMargin(4, 1, 1), ranking.Margin);

        // A challenger with the smaller ballot number needs only to draw level.
        var behind = CandidateElection.ElectDpd([500, 250, 400, 300, 260], [1, 2, 3, 4, 9]);
        Assert.Equal(new CandidateMargin(4, 1, 10), behind.Margin);
        Assert.Equal([0, 2, 3, 1], CandidateElection.ElectDpd([500, 260, 400, 300, 260], [1, 2, 3, 4, 9]).Order.Take(4));
    }

    [Fact]
    public void NoCandidateVotesElectNobodyAndAShortListLeavesSeatsUnfilled()
    {
        var silent = CandidateElection.ElectDpd([0, 0, 0, 0, 0], [1, 2, 3, 4, 5]);
        Assert.Equal((0, 4), (silent.ElectedCount, silent.UnfilledSeats));
        Assert.Null(silent.Next);
        Assert.Null(silent.Margin);

        var shortList = CandidateElection.ElectFromPartyList([10, 0], [1, 2], seatsWon: 3);
        Assert.Equal((2, 1), (shortList.ElectedCount, shortList.UnfilledSeats));
        Assert.Null(shortList.Next);
        Assert.Null(shortList.Margin);
    }

    private static long[] WithExtraVotes(long[] votes, int slot, long extra)
    {
        var changed = (long[])votes.Clone();
        changed[slot] += extra;
        return changed;
    }
}

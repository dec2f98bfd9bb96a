using Broadcast.Elections;

namespace Broadcast.IntegrationTests.Support;

/// <summary>Builds legislative C1 form bodies for the 2024 election, as a counting app would send them.</summary>
public static class LegislativeForms
{
    public static Election Election => BroadcastFactory.Pemilu2024;

    public static Ballot BallotOf(string station, string contest)
    {
        var index = Election.FindStation(station) ?? throw new ArgumentException($"no station {station}");
        return Election.FindContest(contest)!.BallotOfVillage(Election.Stations.Village[index])
            ?? throw new ArgumentException($"{contest} is not voted on at {station}");
    }

    /// <summary>A form whose ballot entry <c>e</c> has <paramref name="entry"/>(e) votes; valid is their sum.</summary>
    public static object Body(string station, string contest, Func<int, int> entry, int invalid = 0)
    {
        var ballot = BallotOf(station, contest);
        var entries = Enumerable.Range(0, ballot.Width).Select(entry).ToArray();
        var valid = entries.Sum();
        return new { station, contest, votes = FormVotes.Of(ballot, entries), valid, invalid, total = valid + invalid };
    }

    /// <summary>The stations voting in <paramref name="dapil"/>, in station order.</summary>
    public static IEnumerable<string> StationsOf(Dapil dapil)
    {
        var contest = Election.Contests.First(c => c.Dapils.Contains(dapil));
        for (var s = 0; s < Election.Stations.Count; s++)
            if (contest.BallotOfVillage(Election.Stations.Village[s]) == dapil.Ballot) yield return Election.StationId(s);
    }
}

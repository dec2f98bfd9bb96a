namespace Broadcast.Elections.Rehearsal;

/// <summary>The stations of each ballot (dapil) of a contest, each run in station order: a counting sort, two arrays.</summary>
internal sealed class BallotStations
{
    private readonly int[] _stations;
    private readonly int[] _start; // ballot b's stations are _stations[_start[b] .. _start[b + 1])

    public BallotStations(Election election, Contest contest)
    {
        var count = new int[contest.Ballots.Count + 1];
        var ballotOf = new int[election.Stations.Count];
        for (var s = 0; s < ballotOf.Length; s++)
        {
            ballotOf[s] = contest.BallotOfVillage(election.Stations.Village[s])?.Index ?? -1;
            if (ballotOf[s] >= 0) count[ballotOf[s] + 1]++;
        }
        for (var b = 1; b < count.Length; b++) count[b] += count[b - 1];
        _start = (int[])count.Clone();
        _stations = new int[count[^1]];
        for (var s = 0; s < ballotOf.Length; s++)
            if (ballotOf[s] >= 0) _stations[count[ballotOf[s]]++] = s;
    }

    public ReadOnlySpan<int> Of(Ballot ballot) => _stations.AsSpan(_start[ballot.Index], _start[ballot.Index + 1] - _start[ballot.Index]);
}

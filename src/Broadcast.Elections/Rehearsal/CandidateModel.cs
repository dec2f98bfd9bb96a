namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// How a party's votes at a station split between the party itself and its candidates, and how
/// DPD votes split between a province's candidates. Per dapil and list, drawn once at start:
/// <list type="bullet">
/// <item>the party-only share (votes for the party's sign, not a name): 10..35 %, varying
/// per station by a factor with log-sd 0.3;</item>
/// <item>each candidate's pull: list position (1 / (1 + 0.6·(position − 1)): number 1 draws
/// most) × a personal popularity (log-normal, σ 0.7), so the order mostly falls with the list
/// but not strictly; × a station's noise (log-sd 0.35);</item>
/// <item>each candidate's home: the district of a station of the dapil drawn at random (so
/// where more people live, more candidates come from): ×4 there, ×1.6 in the rest of its regency.
/// DPD candidates have a home regency instead (×3), and no list position.</item>
/// </list>
/// </summary>
internal sealed class CandidateModel
{
    private const double PositionDecay = 0.6, PopularitySpread = 0.7, StationSpread = 0.35, OwnShareSpread = 0.3;
    private const double HomeDistrictBoost = 4.0, HomeRegencyBoost = 1.6, DpdHomeBoost = 3.0, DpdPopularitySpread = 0.9;

    private readonly double[][] _weight; // per ballot, per entry: a party's own share, or a candidate's pull
    private readonly int[][] _home;      // per ballot, per entry: a candidate's home district (DPD: regency); -1 for a party
    private readonly int[][] _homeRegency;

    private CandidateModel(double[][] weight, int[][] home, int[][] homeRegency)
    {
        _weight = weight;
        _home = home;
        _homeRegency = homeRegency;
    }

    public static CandidateModel Build(Election election, Contest contest, Geography places, ulong seed)
    {
        var byBallot = new BallotStations(election, contest);
        var contestKey = Seeds.Tag(contest.Id);
        var weight = new double[contest.Ballots.Count][];
        var home = new int[contest.Ballots.Count][];
        var homeRegency = new int[contest.Ballots.Count][];
        foreach (var ballot in contest.Ballots)
        {
            var stations = byBallot.Of(ballot);
            var dapilKey = Seeds.Tag(ballot.Dapil!.Code);
            var (w, h, hr) = (new double[ballot.Width], new int[ballot.Width], new int[ballot.Width]);
            if (ballot.Parties.Count > 0)
            {
                foreach (var party in ballot.Parties)
                {
                    var rng = Rng.For(seed, Purpose.Candidates, contestKey, dapilKey, (ulong)party.Party.Number);
                    (w[party.Entry], h[party.Entry], hr[party.Entry]) = (rng.Between(0.10, 0.35), -1, -1);
                    for (var i = 0; i < party.Candidates.Count; i++)
                    {
                        var e = party.Entry + 1 + i;
                        w[e] = rng.LogNormal(PopularitySpread) / (1 + PositionDecay * i);
                        var station = stations[rng.Below(stations.Length)];
                        (h[e], hr[e]) = (places.District(station), places.Regency(station));
                    }
                }
            }
            else
            {
                var rng = Rng.For(seed, Purpose.Candidates, contestKey, dapilKey);
                for (var e = 0; e < ballot.Width; e++)
                {
                    w[e] = rng.LogNormal(DpdPopularitySpread);
                    var station = stations[rng.Below(stations.Length)];
                    (h[e], hr[e]) = (places.Regency(station), places.Regency(station));
                }
            }
            (weight[ballot.Index], home[ballot.Index], homeRegency[ballot.Index]) = (w, h, hr);
        }
        return new CandidateModel(weight, home, homeRegency);
    }

    /// <summary>Splits a party's <paramref name="votes"/> at a station into its own entry and its candidates' (exactly).</summary>
    public void SplitParty(Ballot ballot, BallotParty party, int votes, int district, int regency, ref Rng rng, Span<int> entries)
    {
        var slice = entries.Slice(party.Entry, party.Width);
        if (votes == 0)
        {
            slice.Clear();
            return;
        }
        var weight = _weight[ballot.Index];
        var home = _home[ballot.Index];
        var homeRegency = _homeRegency[ballot.Index];
        Span<double> w = stackalloc double[party.Width];
        double candidates = 0;
        for (var i = 1; i < party.Width; i++)
        {
            var e = party.Entry + i;
            var boost = home[e] == district ? HomeDistrictBoost : homeRegency[e] == regency ? HomeRegencyBoost : 1.0;
            w[i] = weight[e] * boost * rng.Jitter(StationSpread);
            candidates += w[i];
        }
        var own = Math.Clamp(weight[party.Entry] * rng.Jitter(OwnShareSpread), 0.02, 0.85);
        w[0] = party.Width == 1 ? 1 : candidates * own / (1 - own);
        Apportion.Sample(votes, w, slice, ref rng);
    }

    /// <summary>Splits a station's valid DPD <paramref name="votes"/> between the province's candidates.</summary>
    public void SplitCandidates(Ballot ballot, int votes, int regency, ref Rng rng, Span<int> entries)
    {
        var weight = _weight[ballot.Index];
        var home = _home[ballot.Index];
        Span<double> w = stackalloc double[ballot.Width];
        for (var e = 0; e < ballot.Width; e++)
            w[e] = weight[e] * (home[e] == regency ? DpdHomeBoost : 1.0) * rng.Jitter(StationSpread);
        Apportion.Sample(votes, w, entries[..ballot.Width], ref rng);
    }
}

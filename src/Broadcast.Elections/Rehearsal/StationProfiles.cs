namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// Per station, what the DPR allocation needs and every later form reuses:
/// <list type="bullet">
/// <item><see cref="Cap"/>: the most ballots the station may report. At home 300, the legal
/// maximum of voters per station, where the DPT is unknown (most of 2024); the DPT where it is
/// known (465 DKI Jakarta stations). Abroad 80 % of rule R4's bound for the kind of station.
/// Every form of the station stays within it, so rules R3 and R4 always pass.</item>
/// <item><see cref="InvalidRate"/>: the share of its DPR ballots that are invalid.</item>
/// <item><see cref="ExpectedBallots"/>: its voters × turnout, relative to the other stations of
/// its dapil; the allocation scales the valid part of it to the dapil's official total.</item>
/// </list>
/// All of it is synthetic: the 2024 data has no per-station voters, turnout or invalid votes.
/// </summary>
internal sealed class StationProfiles
{
    /// <summary>The legal maximum of voters at a 2024 polling station at home (PKPU 25/2023).</summary>
    public const int MaxVotersAtHome = 300;

    /// <summary>Rule R4's default bounds abroad (Broadcast.Server RulesOptions.OverseasMaxBallots), by kind.</summary>
    private static int OverseasBound(StationKind kind) => kind switch
    {
        StationKind.Postal => 5_000,
        StationKind.MobileBox => 1_500,
        _ => 3_000,
    };

    private StationProfiles(ushort[] cap, float[] invalidRate, float[] expectedBallots)
    {
        Cap = cap;
        InvalidRate = invalidRate;
        ExpectedBallots = expectedBallots;
    }

    public ushort[] Cap { get; }
    /// <summary>Set here to a base rate per station; the allocation lowers it in dapils whose stations are nearly full.</summary>
    public float[] InvalidRate { get; }
    public float[] ExpectedBallots { get; }

    public static StationProfiles Build(Election election, Geography places, ulong seed)
    {
        var stations = election.Stations;
        var cap = new ushort[stations.Count];
        var invalid = new float[stations.Count];
        var ballots = new float[stations.Count];
        Parallel.For(0, stations.Count, s =>
        {
            var (size, turnout, limit) = places.IsOverseas(s) ? Overseas(stations.Kind[s], places, s, seed) : AtHome(election, places, s, seed);
            var rate = InvalidShare(places, s, seed);
            cap[s] = (ushort)limit;
            invalid[s] = (float)rate;
            ballots[s] = (float)(size * turnout);
        });
        return new StationProfiles(cap, invalid, ballots);
    }

    /// <summary>
    /// Voters, turnout and the ballot cap of a station at home. Villages split their voters about
    /// evenly over their stations, so a village draws a typical size (130..300, most near the top)
    /// and its stations vary a little around it; 3 % are small special stations (20..150 voters:
    /// hospitals, prisons, remote hamlets). Turnout: a regency level (70..90 %), a district shift
    /// (±5 points) and a station's own spread (σ 4 points).
    /// </summary>
    private static (double Size, double Turnout, int Cap) AtHome(Election election, Geography places, int s, ulong seed)
    {
        var key = places.StationKey(s);
        var own = Rng.For(seed, Purpose.StationSize, key);
        double size;
        var registered = election.Stations.RegisteredVoters[s];
        if (registered >= 0) size = registered;
        else if (own.Uniform() < 0.03) size = own.Between(20, 150);
        else
        {
            var village = Rng.For(seed, Purpose.VillageSize, places.RegionKey[places.Village(s)]);
            var u = village.Uniform();
            size = Math.Min(MaxVotersAtHome, (MaxVotersAtHome - 170 * u * u) * own.Between(0.85, 1.0));
        }
        var regency = Rng.For(seed, Purpose.RegencyTurnout, places.RegionKey[places.Regency(s)]);
        var district = Rng.For(seed, Purpose.DistrictTurnout, places.RegionKey[places.District(s)]);
        var station = Rng.For(seed, Purpose.StationTurnout, key);
        var turnout = Math.Clamp(regency.Between(0.70, 0.90) + district.Between(-0.05, 0.05) + 0.04 * station.Normal(), 0.35, 0.98);
        // Where the DPT is known the station reports at most its registered voters; elsewhere the legal maximum.
        return (size, turnout, registered >= 0 ? Math.Min(registered, ushort.MaxValue) : MaxVotersAtHome);
    }

    /// <summary>
    /// Abroad: polling stations (TPSLN) 300..1,500 voters at 25..50 % turnout, postal stations
    /// 200..2,000 at 15..40 %, mobile boxes 50..500 at 50..80 %. Turnout abroad is low; the DPT per
    /// station is unknown, so rule R4 bounds the ballots by kind; the cap keeps a fifth below it.
    /// </summary>
    private static (double Size, double Turnout, int Cap) Overseas(StationKind kind, Geography places, int s, ulong seed)
    {
        var rng = Rng.For(seed, Purpose.StationSize, places.StationKey(s));
        var (size, turnout) = kind switch
        {
            StationKind.Postal => (rng.Between(200, 2_000), rng.Between(0.15, 0.40)),
            StationKind.MobileBox => (rng.Between(50, 500), rng.Between(0.50, 0.80)),
            _ => (rng.Between(300, 1_500), rng.Between(0.25, 0.50)),
        };
        return (size, turnout, OverseasBound(kind) * 4 / 5);
    }

    /// <summary>
    /// The share of invalid DPR ballots: a regency level of 5..13 % (mean 9 %; the 2024 DPR had
    /// 151.8 M valid votes against the presidential contest's 164.2 M from about the same voters,
    /// so 8 % or more of its ballots were invalid), times a station's own factor (log-normal,
    /// σ 0.35), within 0.5..35 %.
    /// </summary>
    private static double InvalidShare(Geography places, int s, ulong seed)
    {
        var regency = Rng.For(seed, Purpose.RegencyInvalid, places.RegionKey[places.Regency(s)]);
        var station = Rng.For(seed, Purpose.StationInvalid, places.StationKey(s));
        return Math.Clamp(regency.Between(0.05, 0.13) * station.LogNormal(0.35), 0.005, 0.35);
    }
}

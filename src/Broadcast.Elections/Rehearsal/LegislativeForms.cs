namespace Broadcast.Elections.Rehearsal;

/// <summary>A station's DPR numbers: each party's votes (from the allocation), valid, invalid and total ballots.</summary>
internal readonly ref struct DprStation(Ballot ballot, ReadOnlySpan<ushort> parties, int valid, int invalid, float invalidRate)
{
    public Ballot Ballot { get; } = ballot;
    public ReadOnlySpan<ushort> Parties { get; } = parties;
    public int Valid { get; } = valid;
    public int Invalid { get; } = invalid;
    public int Total => Valid + Invalid;
    public float InvalidRate { get; } = invalidRate;
}

/// <summary>
/// Makes a station's form in any legislative contest. The DPR form is the allocation's party
/// votes split among candidates. DPRD and DPD forms have no official anchor: they are derived
/// from the station's DPR numbers, so they look like the same voters' ballots:
/// <list type="bullet">
/// <item>Ballots: the same total as the DPR form (every voter gets every ballot), so they stay within the station's cap.</item>
/// <item>Invalid: the DPR rate × a contest factor (DPRD provinsi 1.05, DPRD kab/kota 1.10, DPD
/// 1.35: the long DPD ballot is spoilt more often) × a regency factor (log-normal, σ 0.15) × a
/// station factor (σ 0.2), within 0.2..45 %.</item>
/// <item>DPRD party shares: the party's DPR share at the station (+0.5 votes, so a party
/// absent there can still appear) × a preference per regency (σ 0.25) and district (σ 0.15),
/// drawn per contest; only the parties on the dapil's DPRD ballot take part.</item>
/// <item>Aceh's DPRD kab/kota ballots: the local parties on the ballot take, together, their
/// 2019 share of the regency's DPRK votes (<c>aceh_local_share_2019.csv</c>) × a district
/// factor (σ 0.25), within 1..80 %, split PA 55 %, PNA 20 %, PDA 10 %, SIRA, Gabthat and PAS Aceh
/// 5 % each (2019: PA 58.5 %, PNA 25.5 %, PDA 10.9 %, SIRA 5.1 %; Gabthat and PAS Aceh are new),
/// × a regency factor (σ 0.4). The national parties share the rest. The DPRA (DPRD provinsi
/// Aceh) has only national parties: the data lacks the local parties' lists there.</item>
/// <item>DPD: the valid votes split between the province's candidates (see <see cref="CandidateModel"/>).</item>
/// </list>
/// </summary>
internal sealed class LegislativeForms
{
    private const double RegencyInvalidSpread = 0.15, StationInvalidSpread = 0.2;
    private const double RegencyShareSpread = 0.25, DistrictShareSpread = 0.15, LocalShareSpread = 0.25, LocalPartySpread = 0.4;

    /// <summary>DPRD and DPD ballots are spoilt more often than the DPR's (synthetic factors).</summary>
    private static readonly Dictionary<string, double> InvalidFactor = new(StringComparer.Ordinal)
    {
        ["dprd_prov"] = 1.05,
        ["dprd_kab"] = 1.10,
        ["dpd"] = 1.35,
    };

    /// <summary>Aceh local parties by ballot number: their part of the local vote (2019's split, new parties 5 %).</summary>
    private static readonly Dictionary<int, double> LocalPartyShare = new()
    {
        [18] = 0.20, // PNA
        [19] = 0.05, // Gabthat (new in 2024)
        [20] = 0.10, // PDA
        [21] = 0.55, // PA
        [22] = 0.05, // PAS Aceh (new in 2024)
        [23] = 0.05, // SIRA
    };

    private readonly Election _election;
    private readonly Contest _dpr;
    private readonly Geography _places;
    private readonly StationProfiles _profiles;
    private readonly DprAllocation _allocation;
    private readonly RehearsalData _data;
    private readonly ulong _seed;
    private readonly Dictionary<Contest, CandidateModel> _candidates;
    private readonly int[][] _dprSlot; // per DPR ballot: party number -> its index on the ballot, or -1
    private readonly Dictionary<Contest, double[][]> _deviates; // per derived contest, per regency and district: see Deviates
    private readonly int _numbers;
    private readonly double _meanLocalShare;

    public LegislativeForms(Election election, Contest dpr, IEnumerable<Contest> contests, Geography places, StationProfiles profiles,
        DprAllocation allocation, RehearsalData data, ulong seed)
    {
        (_election, _dpr, _places, _profiles, _allocation, _data, _seed) = (election, dpr, places, profiles, allocation, data, seed);
        _candidates = contests.AsParallel().Select(c => (c, CandidateModel.Build(election, c, places, seed))).ToDictionary(x => x.c, x => x.Item2);
        _numbers = election.Parties.Max(p => p.Number) + 1;
        _dprSlot = dpr.Ballots.Select(b =>
        {
            var slot = Enumerable.Repeat(-1, _numbers).ToArray();
            for (var p = 0; p < b.Parties.Count; p++) slot[b.Parties[p].Party.Number] = p;
            return slot;
        }).ToArray();
        _meanLocalShare = data.AcehLocalShare.Count > 0 ? data.AcehLocalShare.Values.Average() : 0.3;
        _deviates = contests.Where(c => c != dpr).ToDictionary(c => c, Deviates);
    }

    public DprStation Dpr(int station)
    {
        var ballot = _dpr.BallotOfVillage(_election.Stations.Village[station])!;
        var parties = _allocation.Table.AsSpan((int)((long)station * _allocation.Stride), ballot.Parties.Count);
        var valid = 0;
        foreach (var votes in parties) valid += votes;
        // The invalid votes follow the station's rate, within its cap (the allocation left room for them).
        var rate = _profiles.InvalidRate[station];
        var invalid = (int)Math.Min(Math.Floor(valid * (double)rate / (1 - (double)rate) + 0.5), _profiles.Cap[station] - valid);
        return new DprStation(ballot, parties, valid, Math.Max(0, invalid), rate);
    }

    /// <summary>The entries, valid and invalid votes of <paramref name="station"/>'s form in <paramref name="contest"/> on <paramref name="ballot"/>.</summary>
    public (int[] Votes, int Valid, int Invalid) Make(Contest contest, Ballot ballot, int station)
    {
        var dpr = Dpr(station);
        var key = _places.StationKey(station);
        var rng = Rng.For(_seed, Purpose.FormNoise, Seeds.Tag(contest.Id), key);
        var district = _places.District(station);
        var regency = _places.Regency(station);
        var votes = new int[ballot.Width];
        var model = _candidates[contest];
        if (contest == _dpr)
        {
            for (var p = 0; p < ballot.Parties.Count; p++)
                model.SplitParty(ballot, ballot.Parties[p], dpr.Parties[p], district, regency, ref rng, votes);
            return (votes, dpr.Valid, dpr.Invalid);
        }

        var deviates = _deviates[contest];
        var regencyZ = deviates[regency];
        var rate = Math.Clamp(dpr.InvalidRate * InvalidFactor.GetValueOrDefault(contest.Id, 1.1)
            * DetMath.Exp(RegencyInvalidSpread * regencyZ[0]) * rng.LogNormal(StationInvalidSpread), 0.002, 0.45);
        var invalid = (int)Math.Floor(dpr.Total * rate + 0.5);
        var valid = dpr.Total - invalid;
        if (ballot.Parties.Count == 0)
        {
            model.SplitCandidates(ballot, valid, regency, ref rng, votes);
            return (votes, valid, invalid);
        }

        var districtZ = deviates[district];
        Span<double> weight = stackalloc double[ballot.Parties.Count];
        Span<int> partyVotes = stackalloc int[ballot.Parties.Count];
        double national = 0, local = 0;
        var slot = _dprSlot[dpr.Ballot.Index];
        for (var p = 0; p < ballot.Parties.Count; p++)
        {
            var party = ballot.Parties[p].Party;
            if (party.AcehOnly)
            {
                weight[p] = LocalPartyShare.GetValueOrDefault(party.Number, 0.05) * DetMath.Exp(LocalPartySpread * regencyZ[party.Number]);
                local += weight[p];
            }
            else
            {
                var dprVotes = slot[party.Number] >= 0 ? dpr.Parties[slot[party.Number]] : 0;
                weight[p] = (dprVotes + 0.5) * DetMath.Exp(RegencyShareSpread * regencyZ[party.Number] + DistrictShareSpread * districtZ[party.Number]);
                national += weight[p];
            }
        }
        if (local > 0)
        {
            // Aceh's DPRK: the local parties take their regency's 2019 share, the national parties the rest.
            var share = Math.Clamp(_data.AcehLocalShare.GetValueOrDefault(_election.Regions.Id[regency], _meanLocalShare)
                * DetMath.Exp(LocalShareSpread * districtZ[0]), 0.01, 0.80);
            for (var p = 0; p < ballot.Parties.Count; p++)
                weight[p] *= ballot.Parties[p].Party.AcehOnly ? share / local : (1 - share) / Math.Max(national, 1e-9);
        }
        Apportion.Sample(valid, weight, partyVotes, ref rng);
        for (var p = 0; p < ballot.Parties.Count; p++)
            model.SplitParty(ballot, ballot.Parties[p], partyVotes[p], district, regency, ref rng, votes);
        return (votes, valid, invalid);
    }

    /// <summary>
    /// Per regency and district (null for other regions), the region's normal deviates in a
    /// derived contest: index 0 for its invalid factor (regency) or local share (district), then
    /// one per party number. Drawn once at start: 8,000 regions × 25 numbers per contest.
    /// </summary>
    private double[][] Deviates(Contest contest)
    {
        var contestKey = Seeds.Tag(contest.Id);
        var regions = _election.Regions;
        var deviates = new double[regions.Count][];
        for (var r = 0; r < regions.Count; r++)
        {
            if (regions.Level[r] is not (RegionLevel.Regency or RegionLevel.District)) continue;
            var rng = Rng.For(_seed, Purpose.ContestRegion, contestKey, _places.RegionKey[r]);
            var z = deviates[r] = new double[_numbers];
            for (var i = 0; i < z.Length; i++) z[i] = rng.Normal();
        }
        return deviates;
    }
}

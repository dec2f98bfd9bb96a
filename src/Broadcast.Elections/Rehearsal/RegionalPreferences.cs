namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// Local strongholds: how much more or less than its dapil share a party gets in a place. Each
/// regency, district and village draws a normal deviate per party number, combined as
/// exp(0.40·z_regency + 0.30·z_district + 0.20·z_village); in 4 % of the (district, party) pairs
/// the party is strong (×2.5): a local figure, a pesantren, a home town. A party's deviates do
/// not depend on which other parties are on the ballot. Cached for the last village asked for,
/// so walking a dapil's stations in order costs one draw per village.
/// </summary>
internal sealed class RegionalPreferences(Geography places, ulong seed, ulong contestKey, IReadOnlyList<BallotParty> parties)
{
    private const double RegencySpread = 0.40, DistrictSpread = 0.30, VillageSpread = 0.20;
    private const double StrongholdChance = 0.04, StrongholdBoost = 2.5;

    private readonly int _numbers = parties.Max(p => p.Party.Number) + 1;
    private readonly double[] _multiplier = new double[parties.Count];
    private double[] _regency = [], _district = [];
    private bool[] _strong = [];
    private int _village = -1, _districtIndex = -1, _regencyIndex = -1;

    /// <summary>The multiplier of each party of the ballot (in ballot order) at <paramref name="station"/>.</summary>
    public ReadOnlySpan<double> At(int station)
    {
        var village = places.Village(station);
        if (village == _village) return _multiplier;
        var district = places.District(station);
        var regency = places.Regency(station);
        if (regency != _regencyIndex) (_regency, _regencyIndex) = (Deviates(Purpose.PartyPreference, regency), regency);
        if (district != _districtIndex)
        {
            (_district, _districtIndex) = (Deviates(Purpose.PartyPreference, district), district);
            var strong = Rng.For(seed, Purpose.Stronghold, contestKey, places.RegionKey[district]);
            _strong = new bool[_numbers];
            for (var number = 1; number < _numbers; number++) _strong[number] = strong.Uniform() < StrongholdChance;
        }
        var own = Deviates(Purpose.PartyPreference, village);
        for (var p = 0; p < parties.Count; p++)
        {
            var number = parties[p].Party.Number;
            _multiplier[p] = DetMath.Exp(RegencySpread * _regency[number] + DistrictSpread * _district[number] + VillageSpread * own[number])
                * (_strong[number] ? StrongholdBoost : 1);
        }
        _village = village;
        return _multiplier;
    }

    /// <summary>One normal deviate per party number (index = number), drawn for every number so a ballot's make-up does not shift them.</summary>
    private double[] Deviates(Purpose purpose, int region)
    {
        var rng = Rng.For(seed, purpose, contestKey, places.RegionKey[region]);
        var z = new double[_numbers];
        for (var number = 1; number < _numbers; number++) z[number] = rng.Normal();
        return z;
    }
}

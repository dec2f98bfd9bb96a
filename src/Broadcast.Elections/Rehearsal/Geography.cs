namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// Where a station lies (its village, district, regency and province) and the keys its random
/// streams are seeded with. Keys come from public ids (the region code, the station number), so
/// a station keeps its numbers when other stations are added to or removed from the data.
/// </summary>
internal sealed class Geography
{
    private readonly Election _election;

    public Geography(Election election)
    {
        _election = election;
        var regions = election.Regions;
        RegionKey = new ulong[regions.Count];
        for (var r = 0; r < regions.Count; r++) RegionKey[r] = Seeds.Tag(regions.Id[r]);
    }

    /// <summary>Per region index, the hash of its public id.</summary>
    public ulong[] RegionKey { get; }

    public int Village(int station) => _election.Stations.Village[station];
    public int District(int station) => _election.Regions.Parent[Village(station)];
    public int Regency(int station) => _election.Regions.Parent[District(station)];
    public int Province(int station) => _election.Regions.Parent[Regency(station)];

    /// <summary>The station's key: its village's key and its number (the 13-digit TPS code, hashed).</summary>
    public ulong StationKey(int station) => Seeds.Mix(RegionKey[Village(station)] ^ (ulong)_election.Stations.Number[station]);

    public bool IsOverseas(int station) => _election.IsOverseas(Village(station));
}

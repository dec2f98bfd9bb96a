using System.Collections.Frozen;

namespace Broadcast.Elections;

/// <summary>
/// One election loaded at start-up: the region tree, the polling stations (TPS) under its
/// villages, and the contests. Immutable and shared by every request.
/// Regions and stations are addressed by dense indexes (0..n-1) inside the server; their
/// public ids are strings at the edges (API, store).
/// </summary>
public sealed class Election
{
    private readonly FrozenDictionary<string, int> _regionIndex;
    private readonly FrozenDictionary<string, Contest> _contests;

    internal Election(string id, string name, RegionTree regions, StationTable stations, IReadOnlyList<Party> parties,
        IReadOnlyList<Contest> contests, int? overseasRegion)
    {
        Id = id;
        Name = name;
        Regions = regions;
        Stations = stations;
        Parties = parties;
        Contests = contests;
        OverseasRegion = overseasRegion;
        _contests = Contests.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        _regionIndex = Enumerable.Range(0, regions.Count)
            .ToFrozenDictionary(i => regions.Id[i], StringComparer.Ordinal);
    }

    public string Id { get; }
    public string Name { get; }
    public RegionTree Regions { get; }
    public StationTable Stations { get; }
    public IReadOnlyList<Contest> Contests { get; }
    /// <summary>The parties of the legislative contests, by ballot number; empty for a presidential-only election.</summary>
    public IReadOnlyList<Party> Parties { get; }

    /// <summary>The province-level region of voters abroad (2019 <c>-99</c>, 2024 <c>99</c>), if the election has one.</summary>
    public int? OverseasRegion { get; }

    public bool IsOverseas(int region) => OverseasRegion is { } overseas && IsWithin(region, overseas);

    /// <summary>Whether <paramref name="region"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public bool IsWithin(int region, int ancestor)
    {
        for (var r = region; r >= 0; r = Regions.Parent[r])
            if (r == ancestor) return true;
        return false;
    }

    public bool IsUnder(int station, int region) => IsWithin(Stations.Village[station], region);

    public Contest? FindContest(string id) => _contests.GetValueOrDefault(id);

    public int? FindRegion(string id) => _regionIndex.TryGetValue(id, out var index) ? index : null;

    /// <summary>
    /// A results group as viewers and the read API name it: a region id, <c>dapil:&lt;code&gt;</c> or
    /// <c>parliament:&lt;region id&gt;</c> in a contest; null if there is no such group.
    /// </summary>
    public ResultsGroup? FindGroup(string contest, string id)
    {
        if (FindContest(contest) is not { } c) return null;
        if (id.StartsWith(GroupIds.Dapil, StringComparison.Ordinal))
            return c.FindDapil(id[GroupIds.Dapil.Length..]) is { } dapil ? new ResultsGroup(c, GroupKind.Dapil, dapil.Index) : null;
        if (id.StartsWith(GroupIds.Parliament, StringComparison.Ordinal))
            return FindRegion(id[GroupIds.Parliament.Length..]) is { } governed && c.FindParliament(governed) is { } parliament
                ? new ResultsGroup(c, GroupKind.Parliament, parliament.Index)
                : null;
        return FindRegion(id) is { } region && c.Covers(region) ? ResultsGroup.Region(c, region) : null;
    }

    /// <summary>The public id of a group (see <see cref="FindGroup"/>).</summary>
    public string GroupId(ResultsGroup group) => group.Kind switch
    {
        GroupKind.Dapil => group.Dapil.GroupId,
        GroupKind.Parliament => group.Parliament.GroupId,
        _ => Regions.Id[group.Index],
    };

    /// <summary>The station index for a public station id, or null if no such station exists.</summary>
    public int? FindStation(string id)
    {
        if (!Stations.Format.TryParse(id, out var villageId, out var number)) return null;
        if (!_regionIndex.TryGetValue(villageId, out var village)) return null;
        var first = Regions.FirstStation[village];
        if (first < 0) return null;
        var index = Array.BinarySearch(Stations.Number, first, Regions.StationCount[village], number);
        return index >= 0 ? index : null;
    }

    public string StationId(int station) =>
        Stations.Format.Format(Regions.Id[Stations.Village[station]], Stations.Number[station]);
}

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

    internal Election(ElectionManifest manifest, RegionTree regions, StationTable stations)
    {
        Id = manifest.Id;
        Name = manifest.Name;
        Regions = regions;
        Stations = stations;
        Contests = manifest.Contests.Select((c, i) => new Contest(i, c.Id, c.Name,
            c.Choices.Select(ch => new Choice(ch.Id, ch.Name)).ToArray())).ToArray();
        _contests = Contests.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        _regionIndex = Enumerable.Range(0, regions.Count)
            .ToFrozenDictionary(i => regions.Id[i], StringComparer.Ordinal);
        OverseasRegion = manifest.OverseasRegion is { } overseas ? FindRegion(overseas) : null;
    }

    public string Id { get; }
    public string Name { get; }
    public RegionTree Regions { get; }
    public StationTable Stations { get; }
    public IReadOnlyList<Contest> Contests { get; }

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

    /// <summary>A (contest, region) results group, as viewers and the read API name it; null if either is unknown.</summary>
    public (Contest Contest, int Region)? FindGroup(string contest, string region) =>
        FindContest(contest) is { } c && FindRegion(region) is { } r ? (c, r) : null;

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

/// <summary>A contest (PPWP: the presidential race) and its choices, in ballot order.</summary>
public sealed record Contest(int Index, string Id, string Name, IReadOnlyList<Choice> Choices)
{
    public int ChoiceIndex(string choiceId)
    {
        for (var i = 0; i < Choices.Count; i++)
            if (Choices[i].Id == choiceId) return i;
        return -1;
    }
}

public sealed record Choice(string Id, string Name);

public enum RegionLevel : byte { National, Province, Regency, District, Village }

/// <summary>The region tree as parallel arrays; index 0 is the national root.</summary>
public sealed class RegionTree
{
    internal RegionTree(string[] id, string[] name, RegionLevel[] level, int[] parent,
        int[][] children, int[] stationCount, int[] firstStation)
    {
        Id = id; Name = name; Level = level; Parent = parent; Children = children;
        StationCount = stationCount; FirstStation = firstStation;
    }

    public int Count => Id.Length;
    public string[] Id { get; }
    public string[] Name { get; }
    public RegionLevel[] Level { get; }
    /// <summary>Parent index; -1 for the national root.</summary>
    public int[] Parent { get; }
    public int[][] Children { get; }
    /// <summary>Polling stations in the region's whole subtree.</summary>
    public int[] StationCount { get; }
    /// <summary>For a village, the index of its first station (its stations are contiguous); else -1.</summary>
    public int[] FirstStation { get; }

    public const int National = 0;

    /// <summary>The region and its ancestors, from the region up to national.</summary>
    public IEnumerable<int> SelfAndAncestors(int region)
    {
        for (var r = region; r >= 0; r = Parent[r]) yield return r;
    }

    public static string LevelName(RegionLevel level) => level switch
    {
        RegionLevel.National => "national",
        RegionLevel.Province => "province",
        RegionLevel.Regency => "regency",
        RegionLevel.District => "district",
        _ => "village",
    };
}

/// <summary>Polling stations (TPS) as parallel arrays, sorted by village then number.</summary>
public sealed class StationTable
{
    internal StationTable(StationIdFormat format, int[] village, int[] number, int[] registeredVoters)
    {
        Format = format; Village = village; Number = number; RegisteredVoters = registeredVoters;
    }

    public int Count => Village.Length;
    public StationIdFormat Format { get; }
    public int[] Village { get; }
    public int[] Number { get; }
    /// <summary>Registered voters (DPT); -1 where the data does not say.</summary>
    public int[] RegisteredVoters { get; }
}

/// <summary>
/// How a station's public id is made from its village id and number:
/// 2019 <c>25830.2</c> (<see cref="Dotted"/>), 2024 the 13-digit code <c>1101012001001</c> (<see cref="Fixed3"/>).
/// </summary>
public enum StationIdFormat { Dotted, Fixed3 }

public static class StationIdFormats
{
    public static string Format(this StationIdFormat format, string villageId, int number) =>
        format == StationIdFormat.Dotted ? $"{villageId}.{number}" : $"{villageId}{number:D3}";

    public static bool TryParse(this StationIdFormat format, string id, out string villageId, out int number)
    {
        villageId = "";
        number = 0;
        if (format == StationIdFormat.Dotted)
        {
            var dot = id.LastIndexOf('.');
            if (dot <= 0 || !int.TryParse(id.AsSpan(dot + 1), System.Globalization.NumberStyles.None, null, out number))
                return false;
            villageId = id[..dot];
            return true;
        }
        if (id.Length != 13 || !int.TryParse(id.AsSpan(10), System.Globalization.NumberStyles.None, null, out number))
            return false;
        villageId = id[..10];
        return true;
    }
}

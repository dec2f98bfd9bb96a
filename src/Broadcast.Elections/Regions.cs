namespace Broadcast.Elections;

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

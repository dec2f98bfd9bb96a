using Broadcast.Replay;

namespace Broadcast.LoadTest;

/// <summary>
/// The 2019 region tree (regions.csv.gz beside tps.csv.gz): for a village, its regency and
/// province, so that a form's receipt can be matched with the frames of the groups it is in.
/// </summary>
public sealed class RegionTree
{
    private readonly Dictionary<long, (long Parent, int Depth)> _regions = new(100_000);

    public static RegionTree Load(string path)
    {
        var tree = new RegionTree();
        using var csv = new GzCsvReader(path);
        if (!csv.TryReadLine(out var header))
            throw new InvalidDataException($"{path}: empty");
        var col = GzCsvReader.Columns(header, "id", "parent_id", "depth");
        Span<Range> f = stackalloc Range[32];
        while (csv.TryReadLine(out var line))
        {
            GzCsvReader.Split(line, f);
            var id = GzCsvReader.ParseLong(line[f[col[0]]]);
            var parent = GzCsvReader.ParseLong(line[f[col[1]]], long.MinValue);
            var depth = (int)GzCsvReader.ParseLong(line[f[col[2]]]);
            tree._regions[id] = (parent, depth);
        }
        return tree;
    }

    /// <summary>The ancestor of <paramref name="region"/> at <paramref name="depth"/> (1 province, 2 regency), or long.MinValue.</summary>
    public long Ancestor(long region, int depth)
    {
        for (var id = region; _regions.TryGetValue(id, out var r); id = r.Parent)
        {
            if (r.Depth == depth) return id;
            if (r.Depth < depth) break;
        }
        return long.MinValue;
    }
}

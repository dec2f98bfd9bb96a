namespace Broadcast.Replay;

/// <summary>
/// The 2019 region tree from regions.csv.gz: the villages under one region (the replay's
/// --province; the load generator's province and regency groups, to match forms with their frames).
/// Built from parent_id: the ids carry no hierarchy (overseas ids are negative, provinces are arbitrary numbers).
/// </summary>
public sealed class RegionTree
{
    private readonly Dictionary<long, List<long>> _children = new();
    private readonly Dictionary<long, string> _names = new();

    public static RegionTree Load(string path)
    {
        var tree = new RegionTree();
        using var reader = new GzCsvReader(path);
        if (!reader.TryReadLine(out var header))
            throw new InvalidDataException($"{path} is empty");
        var col = GzCsvReader.Columns(header, "id", "parent_id", "name");
        Span<Range> f = stackalloc Range[32];
        while (reader.TryReadLine(out var line))
        {
            var n = GzCsvReader.Split(line, f);
            if (n <= col.Max())
                throw new InvalidDataException($"{path}: short line '{System.Text.Encoding.UTF8.GetString(line)}'");
            var id = GzCsvReader.ParseLong(line[f[col[0]]]);
            tree._names[id] = System.Text.Encoding.UTF8.GetString(line[f[col[2]]]);
            var parent = line[f[col[1]]];
            if (parent.IsEmpty)
                continue; // the national root
            var parentId = GzCsvReader.ParseLong(parent);
            if (!tree._children.TryGetValue(parentId, out var list))
                tree._children[parentId] = list = [];
            list.Add(id);
        }
        return tree;
    }

    public string? NameOf(long id) => _names.GetValueOrDefault(id);

    /// <summary>The region itself and everything below it.</summary>
    public HashSet<long> Subtree(long root)
    {
        var result = new HashSet<long> { root };
        var stack = new Stack<long>([root]);
        while (stack.TryPop(out var id))
        {
            foreach (var child in _children.GetValueOrDefault(id) ?? [])
            {
                if (result.Add(child))
                    stack.Push(child);
            }
        }
        return result;
    }
}

using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Broadcast.Elections;

/// <summary>
/// The legislative files of an election folder (see data/README.md): <c>parties.csv</c>,
/// <c>dapils.csv</c>, <c>dapil_regions.csv</c> and <c>candidates.csv.gz</c>, read once for all
/// the legislative contests.
/// </summary>
internal sealed class LegislativeData
{
    public sealed record DapilRow(string Contest, string Code, string Name, int Seats, int Region);

    private readonly Dictionary<(string Contest, string Dapil), List<int>> _members = [];
    private readonly Dictionary<(string Contest, string Dapil), SortedDictionary<int, List<Candidate>>> _lists = [];
    private readonly HashSet<(string Contest, int Party)> _partiesWithLists = [];
    private readonly Dictionary<int, Party> _partyByNumber;

    private LegislativeData(List<Party> parties, List<DapilRow> dapils)
    {
        Parties = parties;
        Dapils = dapils;
        _partyByNumber = parties.ToDictionary(p => p.Number);
    }

    public IReadOnlyList<Party> Parties { get; }
    public IReadOnlyList<DapilRow> Dapils { get; }

    public IReadOnlyList<int> Members(string contest, string dapil) =>
        _members.TryGetValue((contest, dapil), out var members) ? members
            : throw new InvalidDataException($"{contest} dapil {dapil} has no regions in dapil_regions.csv");

    public bool HasLists(string contest, Party party) => _partiesWithLists.Contains((contest, party.Number));

    /// <summary>The lists of a dapil: per party (DPD: one list with no party) its candidates by number.</summary>
    public IEnumerable<(Party Party, IReadOnlyList<Candidate> Candidates)> Lists(string contest, string dapil)
    {
        if (!_lists.TryGetValue((contest, dapil), out var lists))
            throw new InvalidDataException($"{contest} dapil {dapil} has no candidates in candidates.csv.gz");
        foreach (var (party, candidates) in lists)
            yield return (party == 0 ? NoParty : _partyByNumber[party], candidates.OrderBy(c => c.Number).ToArray());
    }

    /// <summary>Stands for the missing party of DPD candidates.</summary>
    private static readonly Party NoParty = new("", 0, "", "", false, "");

    public static LegislativeData Read(string directory, RegionTree regions, IReadOnlyDictionary<string, int> regionIndex)
    {
        int Region(string id, string file) => regionIndex.TryGetValue(id, out var r) ? r
            : throw new InvalidDataException($"{file}: unknown region '{id}'");

        var parties = Rows(Path.Combine(directory, "parties.csv"), 5)
            .Select(f => new Party(f[0], Number(f[0]), f[1], f[2], f[3] == "1", f[4])).ToList();
        var dapils = Rows(Path.Combine(directory, "dapils.csv"), 5)
            .Select(f => new DapilRow(f[0], f[1], f[2], Number(f[3]), Region(f[4], "dapils.csv"))).ToList();
        var data = new LegislativeData(parties, dapils);

        foreach (var f in Rows(Path.Combine(directory, "dapil_regions.csv"), 3))
        {
            if (!data._members.TryGetValue((f[0], f[1]), out var members)) data._members[(f[0], f[1])] = members = [];
            members.Add(Region(f[2], "dapil_regions.csv"));
        }

        foreach (var f in Rows(Path.Combine(directory, "candidates.csv.gz"), 6))
        {
            var party = f[2].Length == 0 ? 0 : Number(f[2]);
            if (party != 0 && !data._partyByNumber.ContainsKey(party))
                throw new InvalidDataException($"candidates.csv.gz: unknown party {party}");
            if (!data._lists.TryGetValue((f[0], f[1]), out var lists)) data._lists[(f[0], f[1])] = lists = [];
            if (!lists.TryGetValue(party, out var list)) lists[party] = list = [];
            list.Add(new Candidate(Number(f[3]), f[4], f[5].Length > 0 ? f[5][0] : '?'));
            if (party != 0) data._partiesWithLists.Add((f[0], party));
        }
        return data;
    }

    private static int Number(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The data rows of a CSV file (gzipped if it ends in .gz), each with exactly <paramref name="width"/> fields.</summary>
    private static IEnumerable<List<string>> Rows(string path, int width)
    {
        using var stream = path.EndsWith(".gz", StringComparison.Ordinal)
            ? (Stream)new GZipStream(File.OpenRead(path), CompressionMode.Decompress)
            : File.OpenRead(path);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        reader.ReadLine(); // header
        while (reader.ReadLine() is { } line)
        {
            var fields = ElectionLoader.CsvFields(line);
            if (fields.Count != width) throw new InvalidDataException($"{path}: expected {width} fields in '{line}'");
            yield return fields;
        }
    }
}

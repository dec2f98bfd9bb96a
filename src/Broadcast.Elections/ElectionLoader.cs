using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Broadcast.Elections;

/// <summary>What <c>election.json</c> holds: everything but the region tree and the stations.</summary>
internal sealed record ElectionManifest(string Id, string Name, StationIdFormat StationIdFormat,
    IReadOnlyList<ContestManifest> Contests, string? OverseasRegion);

/// <summary>
/// A contest in <c>election.json</c>. <see cref="Ballot"/> defaults to flat (the presidential
/// pairs in <see cref="Choices"/>); party and candidate lists come from the legislative files.
/// <see cref="Parliament"/> names the parliament, <c>{region}</c> standing for the region it governs.
/// </summary>
internal sealed record ContestManifest(string Id, string Name, BallotKind Ballot = BallotKind.Flat,
    IReadOnlyList<ChoiceManifest>? Choices = null, int ThresholdPercent = 0, string? Parliament = null);

internal sealed record ChoiceManifest(string Id, string Name);

/// <summary>
/// Loads an election folder (see data/README.md). Built for start-up speed: 813k stations
/// are parsed from spans into parallel arrays, with no object per station.
/// </summary>
public static class ElectionLoader
{
    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Election Load(string directory)
    {
        var manifest = JsonSerializer.Deserialize<ElectionManifest>(
            File.ReadAllBytes(Path.Combine(directory, "election.json")), ManifestJson)
            ?? throw new InvalidDataException($"{directory}/election.json is empty");
        if (manifest.Contests.Count == 0 || manifest.Contests.Any(c => c.Ballot == BallotKind.Flat && c.Choices is not { Count: > 0 }))
            throw new InvalidDataException($"{directory}/election.json: every election needs contests, every flat contest choices");

        var rows = ReadRegions(Path.Combine(directory, "regions.csv.gz"));
        var index = new Dictionary<string, int>(rows.Count, StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
            if (!index.TryAdd(rows[i].Id, i)) throw new InvalidDataException($"region {rows[i].Id} appears twice");

        var stations = ReadStations(Path.Combine(directory, "stations.csv.gz"), index, manifest.StationIdFormat);
        var regions = BuildTree(rows, index, stations);
        int? overseas = manifest.OverseasRegion is { } o && index.TryGetValue(o, out var found) ? found : null;
        var legislative = manifest.Contests.Any(c => c.Ballot != BallotKind.Flat)
            ? LegislativeData.Read(directory, regions, index)
            : null;
        var contests = manifest.Contests.Select((c, i) => c.Ballot == BallotKind.Flat
            ? ContestBuilder.Flat(i, c, regions, stations)
            : ContestBuilder.Lists(i, c, regions, stations, legislative!)).ToList();
        return new Election(manifest.Id, manifest.Name, regions, stations, legislative?.Parties ?? [], contests, overseas);
    }

    private sealed record RegionRow(string Id, string ParentId, RegionLevel Level, string Name);

    private static List<RegionRow> ReadRegions(string path)
    {
        var rows = new List<RegionRow>(100_000);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress), Encoding.UTF8);
        reader.ReadLine(); // header
        while (reader.ReadLine() is { } line)
        {
            var f = CsvFields(line);
            if (f.Count != 4) throw new InvalidDataException($"{path}: bad line '{line}'");
            rows.Add(new RegionRow(f[0], f[1], ParseLevel(f[2]), f[3]));
        }
        return rows;
    }

    private static RegionLevel ParseLevel(string level) => level switch
    {
        "national" => RegionLevel.National,
        "province" => RegionLevel.Province,
        "regency" => RegionLevel.Regency,
        "district" => RegionLevel.District,
        "village" => RegionLevel.Village,
        _ => throw new InvalidDataException($"unknown region level '{level}'"),
    };

    /// <summary>Splits one CSV line, honouring quotes (a few region names contain commas or quotes).</summary>
    internal static List<string> CsvFields(string line)
    {
        var fields = new List<string>(4);
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        fields.Add(sb.ToString());
        return fields;
    }

    /// <summary>
    /// <c>village_id,tps_no,dpt[,kind]</c>: <c>dpt</c> empty where unknown; <c>kind</c> empty for a
    /// polling station, <c>pos</c> (postal) or <c>ksk</c> (mobile ballot box) abroad.
    /// </summary>
    private static StationTable ReadStations(string path, Dictionary<string, int> regionIndex, StationIdFormat format)
    {
        var villages = new List<int>(850_000);
        var numbers = new List<int>(850_000);
        var voters = new List<int>(850_000);
        var kinds = new List<StationKind>(850_000);
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress), Encoding.UTF8, false, 1 << 16);
        reader.ReadLine(); // header
        var lookup = regionIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<Range> fields = stackalloc Range[5];
        while (reader.ReadLine() is { } line)
        {
            var span = line.AsSpan();
            var count = span.Split(fields, ',');
            if (count is < 3 or > 4) throw new InvalidDataException($"{path}: bad line '{line}'");
            if (!lookup.TryGetValue(span[fields[0]], out var village))
                throw new InvalidDataException($"{path}: station under unknown village '{span[fields[0]]}'");
            villages.Add(village);
            numbers.Add(int.Parse(span[fields[1]]));
            voters.Add(span[fields[2]].IsEmpty ? -1 : int.Parse(span[fields[2]]));
            kinds.Add(count < 4 ? StationKind.PollingStation : span[fields[3]] switch
            {
                "" => StationKind.PollingStation,
                "pos" => StationKind.Postal,
                "ksk" => StationKind.MobileBox,
                var other => throw new InvalidDataException($"{path}: unknown station kind '{other}'"),
            });
        }

        // Sort by (village, number) so each village's stations are one contiguous, searchable run.
        var keys = new long[villages.Count];
        var order = new int[villages.Count];
        for (var i = 0; i < keys.Length; i++) { keys[i] = ((long)villages[i] << 32) | (uint)numbers[i]; order[i] = i; }
        Array.Sort(keys, order);
        for (var i = 1; i < keys.Length; i++)
            if (keys[i] == keys[i - 1])
                throw new InvalidDataException($"{path}: station {numbers[order[i]]} appears twice in one village");

        var v = new int[order.Length];
        var n = new int[order.Length];
        var dpt = new int[order.Length];
        var kind = new StationKind[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            v[i] = villages[order[i]]; n[i] = numbers[order[i]]; dpt[i] = voters[order[i]]; kind[i] = kinds[order[i]];
        }
        return new StationTable(format, v, n, dpt, kind);
    }

    private static RegionTree BuildTree(List<RegionRow> rows, Dictionary<string, int> index, StationTable stations)
    {
        var count = rows.Count;
        if (count == 0 || rows[0].Level != RegionLevel.National || rows[0].ParentId != "")
            throw new InvalidDataException("the first region must be the national root, without a parent");
        var parent = new int[count];
        parent[0] = -1;
        var childLists = new List<int>[count];
        for (var i = 0; i < count; i++) childLists[i] = [];
        for (var i = 1; i < count; i++)
        {
            if (!index.TryGetValue(rows[i].ParentId, out var p))
                throw new InvalidDataException($"region {rows[i].Id} has unknown parent '{rows[i].ParentId}'");
            if (rows[p].Level >= rows[i].Level)
                throw new InvalidDataException($"region {rows[i].Id} ({rows[i].Level}) sits under {rows[p].Id} ({rows[p].Level})");
            parent[i] = p;
            childLists[p].Add(i);
        }

        var stationCount = new int[count];
        var firstStation = Enumerable.Repeat(-1, count).ToArray();
        for (var s = 0; s < stations.Count; s++)
        {
            var village = stations.Village[s];
            if (rows[village].Level != RegionLevel.Village)
                throw new InvalidDataException($"station under {rows[village].Id}, which is not a village");
            if (firstStation[village] < 0) firstStation[village] = s;
            for (var r = village; r >= 0; r = parent[r]) stationCount[r]++;
        }

        Debug.Assert(stationCount[0] == stations.Count);
        return new RegionTree(
            rows.Select(r => r.Id).ToArray(), rows.Select(r => r.Name).ToArray(), rows.Select(r => r.Level).ToArray(),
            parent, childLists.Select(c => c.ToArray()).ToArray(), stationCount, firstStation);
    }
}

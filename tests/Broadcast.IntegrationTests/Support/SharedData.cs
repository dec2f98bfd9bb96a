using System.IO.Compression;

namespace Broadcast.IntegrationTests.Support;

/// <summary>One row of ../shared/data/pilpres2019/tps.csv.gz with Situng numbers.</summary>
public sealed record TpsRow(string Station, int[] Situng, int[]? Volunteer, long ArrivalMs);

/// <summary>The real 2019 per-station data beside the repository (CI clones it beside shared/).</summary>
public static class SharedData
{
    public static string TpsFile => Find(Path.Combine("pilpres2019", "tps.csv.gz"));

    /// <summary>A file of shared/data (e.g. <c>pemilu2024-legislative/dpr2024_seats_official.csv</c>), found above the test binaries.</summary>
    public static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"shared/data/{relative} was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The rows of a shared CSV file without quoted fields (the official legislative figures), header skipped.</summary>
    public static IEnumerable<string[]> Csv(string relative) => File.ReadLines(Find(relative)).Skip(1).Select(line => line.Split(','));

    /// <summary>Rows with Situng numbers, in election-night arrival order; volunteer numbers where all five are present.</summary>
    public static List<TpsRow> Read(Func<string, bool> stationFilter)
    {
        var rows = new List<TpsRow>();
        using var reader = new StreamReader(new GZipStream(File.OpenRead(TpsFile), CompressionMode.Decompress));
        var header = reader.ReadLine()!.Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        int[] situng = [Col("kpu_pas1"), Col("kpu_pas2"), Col("kpu_sah"), Col("kpu_tsah"), Col("kpu_jum")];
        int[] volunteer = [Col("kp_pas1"), Col("kp_pas2"), Col("kp_sah"), Col("kp_tsah"), Col("kp_jum")];
        var arrival = Col("kp_first_photo_ts_ms");
        while (reader.ReadLine() is { } line)
        {
            var f = line.Split(',');
            var station = $"{f[0]}.{f[1]}";
            if (f[situng[0]].Length == 0 || !stationFilter(station)) continue;
            rows.Add(new TpsRow(station, situng.Select(i => int.Parse(f[i])).ToArray(),
                volunteer.All(i => f[i].Length > 0) ? volunteer.Select(i => int.Parse(f[i])).ToArray() : null,
                f[arrival].Length > 0 ? long.Parse(f[arrival]) : long.MaxValue));
        }
        return rows.OrderBy(r => r.ArrivalMs).ToList();
    }

    public static object Form(string station, int[] n) => new
    {
        station, contest = "ppwp",
        votes = new Dictionary<string, int> { ["01"] = n[0], ["02"] = n[1] },
        valid = n[2], invalid = n[3], total = n[4],
    };
}

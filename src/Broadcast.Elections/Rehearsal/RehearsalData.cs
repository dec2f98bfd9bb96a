using System.Globalization;

namespace Broadcast.Elections.Rehearsal;

/// <summary>
/// The official anchors of the rehearsal night, read from the election folder (written by
/// <c>scripts/compact-election-data.py</c>; see data/README.md):
/// <list type="bullet">
/// <item><c>dpr_official_votes.csv</c>: the official DPR votes per dapil and party, which the generated forms add up to.</item>
/// <item><c>sirekap_progress.csv</c>: the national stations-reported curve of the 2024 public real count, the shape of the night.</item>
/// <item><c>aceh_local_share_2019.csv</c>: the Aceh local parties' share of the 2019 DPRK votes per regency.</item>
/// </list>
/// </summary>
internal sealed class RehearsalData
{
    public const string OfficialVotesFile = "dpr_official_votes.csv";
    public const string ProgressFile = "sirekap_progress.csv";
    public const string AcehLocalShareFile = "aceh_local_share_2019.csv";

    private RehearsalData(Dictionary<(string Dapil, int Party), long> dprVotes, List<(DateTime TimeWib, int Reported)> progress,
        Dictionary<string, double> acehLocalShare)
    {
        DprVotes = dprVotes;
        Progress = progress;
        AcehLocalShare = acehLocalShare;
    }

    /// <summary>Official valid votes per (DPR dapil code, party ballot number).</summary>
    public IReadOnlyDictionary<(string Dapil, int Party), long> DprVotes { get; }

    /// <summary>Snapshots of the stations reported nationally, by time (WIB), oldest first.</summary>
    public IReadOnlyList<(DateTime TimeWib, int Reported)> Progress { get; }

    /// <summary>Per Aceh regency id, the share of the 2019 DPRK votes that went to the local parties.</summary>
    public IReadOnlyDictionary<string, double> AcehLocalShare { get; }

    public static bool Exists(string folder) =>
        File.Exists(Path.Combine(folder, OfficialVotesFile)) && File.Exists(Path.Combine(folder, ProgressFile))
        && File.Exists(Path.Combine(folder, AcehLocalShareFile));

    public static RehearsalData Read(string folder)
    {
        var votes = new Dictionary<(string, int), long>();
        foreach (var f in Rows(folder, OfficialVotesFile, "dapil,party,votes"))
            if (!votes.TryAdd((f[0], Int(f[1])), Int(f[2])))
                throw new InvalidDataException($"{OfficialVotesFile}: dapil {f[0]} party {f[1]} appears twice");

        var progress = new List<(DateTime, int)>();
        foreach (var f in Rows(folder, ProgressFile, "time_wib,stations_reported,stations_total"))
            progress.Add((DateTime.ParseExact(f[0], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Int(f[1])));
        if (progress.Count == 0) throw new InvalidDataException($"{ProgressFile} is empty");

        var aceh = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var f in Rows(folder, AcehLocalShareFile, "regency,name,local_votes,votes"))
            aceh[f[0]] = (double)Int(f[2]) / Math.Max(1, Int(f[3]));
        return new RehearsalData(votes, progress, aceh);
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The rows of a small plain CSV file without quoted fields, after checking its header.</summary>
    private static IEnumerable<string[]> Rows(string folder, string file, string header)
    {
        var path = Path.Combine(folder, file);
        using var reader = new StreamReader(path);
        if (reader.ReadLine() != header) throw new InvalidDataException($"{path}: expected the header '{header}'");
        var width = header.Split(',').Length;
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split(',');
            if (fields.Length != width) throw new InvalidDataException($"{path}: bad line '{line}'");
            yield return fields;
        }
    }
}

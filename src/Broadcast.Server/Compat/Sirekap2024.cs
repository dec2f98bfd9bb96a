using System.Text.Json;
using Broadcast.Elections;
using Broadcast.Results;

namespace Broadcast.Compat;

/// <summary>
/// The 2024 site (Sirekap, <c>sirekap-obj-data.kpu.go.id</c>): <c>/pemilu/hhcw/ppwp.json</c>
/// and <c>/pemilu/hhcw/ppwp/{prov}/{kab}/{kec}/{desa}.json</c>, paths by region code, a station
/// at <c>…/{desa}/{tps13}.json</c>; region lists at <c>/wilayah/pemilu/ppwp/…</c>; the pairs at
/// <c>/pemilu/ppwp.json</c>. Pairs 01, 02, 03 were the commission's candidates 100025, 100026, 100027.
/// </summary>
internal sealed class Sirekap2024 : CommissionSite
{
    public static readonly Sirekap2024 Site = new();

    public override string ElectionId => "pemilu2024";

    /// <summary>
    /// The commission's candidate id of a pair (<c>"01"</c> → <c>"100025"</c>), and its colour on
    /// the site. Pairs beyond the three of 2024 keep their own ids.
    /// </summary>
    private static string CandidateId(string pair) => pair switch
    {
        "01" => "100025",
        "02" => "100026",
        "03" => "100027",
        _ => pair,
    };

    private static string Colour(string pair) => pair switch
    {
        "01" => "#8CB9BD",
        "02" => "#C7B7A3",
        "03" => "#B67352",
        _ => "#999999",
    };

    /// <summary>Every file says whether it holds a re-vote (PSU); Broadcast counts one vote per station.</summary>
    private const string Regular = "Reguler";

    public override string StationKey(Election election, int station) => election.StationId(station);

    protected override int? FindStation(Election election, int village, string key) =>
        election.FindStation(key) is { } station && election.Stations.Village[station] == village ? station : null;

    public override void WriteTotals(Utf8JsonWriter json, Election election, ResultsSnapshot region, string ts)
    {
        json.WriteStartObject();
        json.WriteString("ts", ts);
        json.WriteString("psu", Regular);
        json.WriteString("mode", "hhcw");
        json.WriteStartObject("chart");
        WriteVotes(json, region.Votes);
        json.WriteNumber("persen", Percent(region.Stations.Reported, region.Stations.Total));
        json.WriteEndObject();
        json.WriteStartObject("table");
        foreach (var child in region.Children)
        {
            // A child without a counted station has no votes in the file, only its progress.
            json.WriteStartObject(child.Id);
            json.WriteString("psu", Regular);
            if (child.Stations.Reported > 0) WriteVotes(json, child.Votes);
            if (child.Level == "tps") json.WriteNumber("persen", child.Stations.Reported > 0 ? 100 : 0);
            else json.WriteNumber("persen", Percent(child.Stations.Reported, child.Stations.Total));
            json.WriteBoolean("status_progress", child.Stations.Reported > 0);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteStartObject("progres");
        json.WriteNumber("total", region.Stations.Total);
        json.WriteNumber("progres", region.Stations.Reported);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// A station: its pair votes in <c>chart</c> (with the site's stray <c>"null": null</c> entry)
    /// and its C.Hasil numbers in <c>administrasi</c>; both null until its form is counted.
    /// </summary>
    public override void WriteStation(Utf8JsonWriter json, Election election, ResultsSnapshot village, int station, string ts)
    {
        var row = StationRow(election, village, station);
        var counted = Counted(row);
        json.WriteStartObject();
        json.WriteString("mode", "hhcw");
        if (counted)
        {
            json.WriteStartObject("chart");
            json.WriteNull("null");
            WriteVotes(json, row.Votes);
            json.WriteEndObject();
        }
        else json.WriteNull("chart");
        json.WriteStartArray("images");
        json.WriteEndArray();
        if (counted) WriteAdministration(json, row, RegisteredVoters(election, station));
        else json.WriteNull("administrasi");
        json.WriteNull("psu");
        json.WriteString("ts", ts);
        json.WriteBoolean("status_suara", counted);
        json.WriteBoolean("status_adm", counted);
        json.WriteEndObject();
    }

    /// <summary>
    /// The form's administration section. Broadcast has the valid, invalid and total ballots and
    /// the DPT where the data has it; the voters by sex and by list (DPT, DPTb, non-DPT) are null.
    /// </summary>
    private static void WriteAdministration(Utf8JsonWriter json, ChildResults row, int? registered)
    {
        json.WriteStartObject("administrasi");
        json.WriteNumber("suara_sah", row.Valid);
        json.WriteNumber("suara_total", row.Valid + row.Invalid);
        if (registered is { } dpt) json.WriteNumber("pemilih_dpt_j", dpt);
        else json.WriteNull("pemilih_dpt_j");
        foreach (var unknown in (string[])["pemilih_dpt_l", "pemilih_dpt_p", "pengguna_dpt_j", "pengguna_dpt_l", "pengguna_dpt_p",
                     "pengguna_dptb_j", "pengguna_dptb_l", "pengguna_dptb_p"])
            json.WriteNull(unknown);
        json.WriteNumber("suara_tidak_sah", row.Invalid);
        foreach (var unknown in (string[])["pengguna_total_j", "pengguna_total_l", "pengguna_total_p",
                     "pengguna_non_dpt_j", "pengguna_non_dpt_l", "pengguna_non_dpt_p"])
            json.WriteNull(unknown);
        json.WriteEndObject();
    }

    /// <summary>
    /// <c>[{nama, id, kode, tingkat}]</c> sorted by name, as the site listed them; <c>tingkat</c> is
    /// 1 (province) to 5 (station). <c>id</c> was the site's internal number, which the data does not
    /// have: here Broadcast's own (the tree index; a station's after all regions'), unique and stable
    /// for one data set. Paths take <c>kode</c>, which is the real one.
    /// </summary>
    public override void WriteChildren(Utf8JsonWriter json, Election election, int region)
    {
        var regions = election.Regions;
        json.WriteStartArray();
        if (regions.Level[region] == RegionLevel.Village)
        {
            var first = regions.FirstStation[region];
            for (var s = first; first >= 0 && s < first + regions.StationCount[region]; s++)
                WriteEntry(json, $"TPS {election.Stations.Number[s]:D3}", regions.Count + s, election.StationId(s), 5);
        }
        else
        {
            foreach (var child in regions.Children[region].OrderBy(c => regions.Name[c], StringComparer.Ordinal))
                WriteEntry(json, regions.Name[child], child, regions.Id[child], (int)regions.Level[child]);
        }
        json.WriteEndArray();
    }

    private static void WriteEntry(Utf8JsonWriter json, string name, int id, string code, int level)
    {
        json.WriteStartObject();
        json.WriteString("nama", name);
        json.WriteNumber("id", id);
        json.WriteString("kode", code);
        json.WriteNumber("tingkat", level);
        json.WriteEndObject();
    }

    public override void WriteCandidates(Utf8JsonWriter json, Election election, string ts)
    {
        json.WriteStartObject();
        var number = 0;
        foreach (var pair in ContestOf(election).Ballots[0].Choices)
        {
            json.WriteStartObject(CandidateId(pair.Id));
            json.WriteString("ts", ts);
            json.WriteString("nama", pair.Name);
            json.WriteString("warna", Colour(pair.Id));
            json.WriteNumber("nomor_urut", ++number);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteVotes(Utf8JsonWriter json, IReadOnlyDictionary<string, long> votes)
    {
        foreach (var (pair, count) in votes.OrderBy(v => v.Key, StringComparer.Ordinal))
            json.WriteNumber(CandidateId(pair), count);
    }
}

using System.Globalization;
using System.Text.Json;
using Broadcast.Elections;
using Broadcast.Results;

namespace Broadcast.Compat;

/// <summary>
/// The 2019 site (Situng, <c>pemilu2019.kpu.go.id</c>): <c>/static/json/hhcw/ppwp.json</c> and
/// <c>/static/json/hhcw/ppwp/{prov}/{kab}/{kec}/{kel}.json</c>, paths by the commission's numeric
/// region ids (the ids of the 2019 data: <c>1/1492/1654/1656</c>), a station at <c>…/{kel}/{tps}.json</c>;
/// region lists at <c>/static/json/wilayah/…</c>; the pairs at <c>/static/json/ppwp.json</c>.
/// Pairs 01 and 02 were the commission's candidates 21 and 22.
/// </summary>
internal sealed class Situng2019 : CommissionSite
{
    public static readonly Situng2019 Site = new();

    public override string ElectionId => "pilpres2019";

    private static string CandidateId(string pair) => pair switch
    {
        "01" => "21",
        "02" => "22",
        _ => pair,
    };

    /// <summary>
    /// The station's number in its village (<c>"3"</c>). The site keyed stations by its own TPS ids
    /// (<c>900185783</c>), which the data does not have; the number is unique within the village.
    /// </summary>
    public override string StationKey(Election election, int station) =>
        election.Stations.Number[station].ToString(CultureInfo.InvariantCulture);

    /// <summary>The number in a station id (<c>1656.3</c> → <c>3</c>).</summary>
    private static string NumberOf(Election election, string stationId) =>
        election.Stations.Format.TryParse(stationId, out _, out var number) ? number.ToString(CultureInfo.InvariantCulture) : stationId;

    protected override int? FindStation(Election election, int village, string key) =>
        election.FindStation(election.Stations.Format.Format(election.Regions.Id[village],
            int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : -1)) is { } station
            && election.Stations.Village[station] == village
            ? station
            : null;

    public override void WriteTotals(Utf8JsonWriter json, Election election, ResultsSnapshot region, string ts)
    {
        json.WriteStartObject();
        json.WriteString("ts", ts);
        json.WriteStartObject("chart");
        WriteVotes(json, region.Votes, counted: true);
        json.WriteEndObject();
        json.WriteStartObject("table");
        foreach (var child in region.Children)
        {
            // The site showed a child with nothing entered yet as nulls.
            json.WriteStartObject(child.Level == "tps" ? NumberOf(election, child.Id) : child.Id);
            WriteVotes(json, child.Votes, counted: child.Stations.Reported > 0);
            json.WriteEndObject();
        }
        json.WriteEndObject();
        json.WriteStartObject("progress");
        json.WriteNumber("total", region.Stations.Total);
        json.WriteNumber("proses", region.Stations.Reported);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// A station: <c>{ts, chart, images, pemilih_j, pengguna_j, suara_sah, suara_tidak_sah,
    /// suara_total}</c>, or <c>{}</c> until its form is counted, as the site answered. No photos;
    /// <c>pengguna_j</c> (voters who came) is not on Broadcast's form and is null.
    /// </summary>
    public override void WriteStation(Utf8JsonWriter json, Election election, ResultsSnapshot village, int station, string ts)
    {
        var row = StationRow(election, village, station);
        json.WriteStartObject();
        if (Counted(row))
        {
            json.WriteString("ts", ts);
            json.WriteStartObject("chart");
            WriteVotes(json, row.Votes, counted: true);
            json.WriteEndObject();
            json.WriteStartArray("images");
            json.WriteEndArray();
            if (RegisteredVoters(election, station) is { } dpt) json.WriteNumber("pemilih_j", dpt);
            else json.WriteNull("pemilih_j");
            json.WriteNull("pengguna_j");
            json.WriteNumber("suara_sah", row.Valid);
            json.WriteNumber("suara_tidak_sah", row.Invalid);
            json.WriteNumber("suara_total", row.Valid + row.Invalid);
        }
        json.WriteEndObject();
    }

    /// <summary><c>{"&lt;id&gt;": {"nama": …}}</c>: the children by id, a village's stations by number.</summary>
    public override void WriteChildren(Utf8JsonWriter json, Election election, int region)
    {
        var regions = election.Regions;
        json.WriteStartObject();
        if (regions.Level[region] == RegionLevel.Village)
        {
            var first = regions.FirstStation[region];
            for (var s = first; first >= 0 && s < first + regions.StationCount[region]; s++)
            {
                json.WriteStartObject(StationKey(election, s));
                json.WriteString("nama", $"TPS {election.Stations.Number[s]}");
                json.WriteEndObject();
            }
        }
        else
        {
            foreach (var child in regions.Children[region])
            {
                json.WriteStartObject(regions.Id[child]);
                json.WriteString("nama", regions.Name[child]);
                json.WriteEndObject();
            }
        }
        json.WriteEndObject();
    }

    public override void WriteCandidates(Utf8JsonWriter json, Election election, string ts)
    {
        json.WriteStartObject();
        var number = 0;
        foreach (var pair in ContestOf(election).Ballots[0].Choices)
        {
            json.WriteStartObject(CandidateId(pair.Id));
            json.WriteString("nama", pair.Name);
            json.WriteNumber("nomor_urut", ++number);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WriteVotes(Utf8JsonWriter json, IReadOnlyDictionary<string, long> votes, bool counted)
    {
        foreach (var (pair, count) in votes.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (counted) json.WriteNumber(CandidateId(pair), count);
            else json.WriteNull(CandidateId(pair));
        }
    }
}

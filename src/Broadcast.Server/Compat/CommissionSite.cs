using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Broadcast.Elections;
using Broadcast.Results;

namespace Broadcast.Compat;

/// <summary>
/// A file of the commission's site: a region of the tree, named in the path by the chain of ids
/// from its province down (<c>11/1101/110101</c>), or one polling station under its village.
/// </summary>
/// <param name="Station">The station index, or -1 for the region's own file.</param>
internal readonly record struct SiteFile(int Region, int Station = -1)
{
    public bool IsStation => Station >= 0;
}

/// <summary>
/// One year of the election commission's public results site, whose JSON files news sites and
/// volunteer projects polled: 2019's Situng (<see cref="Situng2019"/>) and 2024's Sirekap
/// (<see cref="Sirekap2024"/>). Each serves the presidential contest (PPWP) of its own election
/// only, from the same live totals as the read API. The shapes are the commission's, field for
/// field; what Broadcast does not know (photos, voters by sex, re-votes) is empty or null there.
/// </summary>
internal abstract class CommissionSite
{
    protected const string Presidential = "ppwp";

    /// <summary>The <c>Election:Name</c> whose ids the site's paths use.</summary>
    public abstract string ElectionId { get; }

    public bool Serves(Election election) => election.Id == ElectionId && election.FindContest(Presidential) is not null;

    public static Contest ContestOf(Election election) => election.FindContest(Presidential)!;

    /// <summary>A station's key in its village's table, and the last segment of its own file's path.</summary>
    public abstract string StationKey(Election election, int station);

    /// <summary>The station of <paramref name="village"/> a path segment names, if any.</summary>
    protected abstract int? FindStation(Election election, int village, string key);

    /// <summary>
    /// The file a path names (<c>11/1101/110101.json</c>), or null: every id must be a child of the
    /// one before it, from a province down, as the commission's site laid out its files. Past a
    /// village only one of its stations, and only where <paramref name="stations"/>.
    /// </summary>
    public SiteFile? Resolve(Election election, string? path, bool stations)
    {
        if (path is null || !path.EndsWith(".json", StringComparison.Ordinal)) return null;
        var segments = path[..^".json".Length].Split('/');
        var region = RegionTree.National;
        for (var i = 0; i < segments.Length; i++)
        {
            if (election.Regions.Level[region] == RegionLevel.Village)
                return stations && i == segments.Length - 1 && FindStation(election, region, segments[i]) is { } station
                    ? new SiteFile(region, station)
                    : null;
            if (election.FindRegion(segments[i]) is not { } child || election.Regions.Parent[child] != region) return null;
            region = child;
        }
        return new SiteFile(region);
    }

    /// <summary>The totals file of a region (<c>hhcw/ppwp/…json</c>) from its snapshot.</summary>
    public abstract void WriteTotals(Utf8JsonWriter json, Election election, ResultsSnapshot region, string ts);

    /// <summary>The file of one station, from its village's snapshot.</summary>
    public abstract void WriteStation(Utf8JsonWriter json, Election election, ResultsSnapshot village, int station, string ts);

    /// <summary>The list of a region's children (<c>wilayah</c>): regions, or a village's stations.</summary>
    public abstract void WriteChildren(Utf8JsonWriter json, Election election, int region);

    /// <summary>The candidate pairs, by the commission's ids.</summary>
    public abstract void WriteCandidates(Utf8JsonWriter json, Election election, string ts);

    private static readonly JavaScriptEncoder Readable = JavaScriptEncoder.Create(UnicodeRanges.All);

    public static ReadOnlyMemory<byte> Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        // Names as written (Ma'ruf, "–"), not \uXXXX: the site's files were plain UTF-8.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Readable }))
            write(json);
        return buffer.WrittenMemory;
    }

    /// <summary>The child of a village's snapshot that is <paramref name="station"/> (counted or not).</summary>
    protected static ChildResults StationRow(Election election, ResultsSnapshot village, int station)
    {
        var id = election.StationId(station);
        return village.Children.First(c => c.Id == id);
    }

    protected static bool Counted(ChildResults station) => station.Stations.Reported > 0;

    /// <summary>Registered voters (DPT) of a station, null where the data does not say.</summary>
    protected static int? RegisteredVoters(Election election, int station) =>
        election.Stations.RegisteredVoters[station] is var dpt and >= 0 ? dpt : null;

    /// <summary>Share of the stations in the totals, in percent with 2 decimals, as the site showed progress.</summary>
    protected static double Percent(long part, long whole) =>
        whole == 0 ? 0 : Math.Round(100.0 * part / whole, 2, MidpointRounding.AwayFromZero);
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Broadcast.Elections;
using Broadcast.IntegrationTests.Cluster;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Xunit.Abstractions;

namespace Broadcast.IntegrationTests;

/// <summary>A 2019 server and a 2024 server, shared by the commission feed's tests.</summary>
public sealed class CommissionFeedServers : IDisposable
{
    public BroadcastFactory Pilpres2019 { get; } = new();
    public BroadcastFactory Pemilu2024 { get; } = new([], pemilu2024: true);

    public void Dispose()
    {
        Pilpres2019.Dispose();
        Pemilu2024.Dispose();
    }
}

/// <summary>
/// The election commission's public JSON files (2019 Situng, 2024 Sirekap) served from the live
/// totals: the same numbers as the read API at every level down to a station, cacheable by the
/// totals' version, and walked by an unmodified old poller that was only given the host.
/// </summary>
public sealed partial class CommissionFeedTests(CommissionFeedServers servers, ITestOutputHelper output) : IClassFixture<CommissionFeedServers>
{
    private static readonly Election Pilpres2019 = BroadcastFactory.Election;
    private static readonly Election Pemilu2024 = BroadcastFactory.Pemilu2024;

    [Fact]
    public async Task Files2019CarryTheReadApiTotalsFromTheNationDownToTheStation()
    {
        var server = servers.Pilpres2019;
        var ingest = server.Ingest();
        string[] stations = [TestStations.Next(), TestStations.Next()];
        await ingest.PostAsync(Forms.Body(stations[0], 120, 80, invalid: 3));
        await ingest.PostAsync(Forms.Body(stations[1], 90, 110));
        await server.SettledResultsAsync();
        var http = server.Anonymous();

        await AssertTotals2019(http, "/static/json/hhcw/ppwp.json", "0");
        foreach (var station in stations)
        {
            var index = Pilpres2019.FindStation(station)!.Value;
            var chain = Chain(Pilpres2019, Pilpres2019.Stations.Village[index]);
            for (var level = 1; level <= chain.Count; level++)
                await AssertTotals2019(http, $"/static/json/hhcw/ppwp/{string.Join('/', chain.Take(level))}.json", chain[level - 1]);

            var file = await JsonAsync(http, $"/static/json/hhcw/ppwp/{string.Join('/', chain)}/{Pilpres2019.Stations.Number[index]}.json");
            var form = station == stations[0] ? (a: 120, b: 80, invalid: 3) : (a: 90, b: 110, invalid: 0);
            Assert.Equal(form.a, (long)file["chart"]!["21"]!);
            Assert.Equal(form.b, (long)file["chart"]!["22"]!);
            Assert.Equal(form.a + form.b, (long)file["suara_sah"]!);
            Assert.Equal(form.invalid, (long)file["suara_tidak_sah"]!);
            Assert.Equal(form.a + form.b + form.invalid, (long)file["suara_total"]!);
            Assert.Equal(Pilpres2019.Stations.RegisteredVoters[index], (long)file["pemilih_j"]!);
            Assert.Matches(Timestamp(), (string)file["ts"]!);
        }
    }

    [Fact]
    public async Task Files2024CarryTheReadApiTotalsFromTheNationDownToTheStation()
    {
        var server = servers.Pemilu2024;
        var ingest = server.Ingest();
        await ingest.PostAsync(Pairs("1101012001001", 120, 30, 15));
        await ingest.PostAsync(Pairs("1101012001002", 200, 40, 10, invalid: 2));
        await ingest.PostAsync(Pairs("3101011001001", 100, 150, 30, invalid: 4));
        await server.SettledResultsAsync();
        var http = server.Anonymous();

        await AssertTotals2024(http, "/pemilu/hhcw/ppwp.json", "0");
        foreach (var village in new[] { "1101012001", "3101011001" })
        {
            var chain = Chain(Pemilu2024, Pemilu2024.FindRegion(village)!.Value);
            Assert.Equal([village[..2], village[..4], village[..6], village], chain); // the code chain of the commission's paths
            for (var level = 1; level <= chain.Count; level++)
                await AssertTotals2024(http, $"/pemilu/hhcw/ppwp/{string.Join('/', chain.Take(level))}.json", chain[level - 1]);
        }

        var counted = await JsonAsync(http, "/pemilu/hhcw/ppwp/31/3101/310101/3101011001/3101011001001.json");
        Assert.Equal("hhcw", (string)counted["mode"]!);
        var chart = counted["chart"]!.AsObject();
        Assert.True(chart.ContainsKey("null") && chart["null"] is null); // the site's stray entry, kept for pollers that expect it
        Assert.Equal((100L, 150L, 30L), ((long)chart["100025"]!, (long)chart["100026"]!, (long)chart["100027"]!));
        var administration = counted["administrasi"]!;
        Assert.Equal((280L, 4L, 284L, 292L), ((long)administration["suara_sah"]!, (long)administration["suara_tidak_sah"]!,
            (long)administration["suara_total"]!, (long)administration["pemilih_dpt_j"]!));
        Assert.True((bool)counted["status_suara"]! && (bool)counted["status_adm"]!);
        Assert.Empty(counted["images"]!.AsArray());

        var notYet = await JsonAsync(http, "/pemilu/hhcw/ppwp/11/1101/110101/1101012001/1101012001003.json");
        Assert.Null(notYet["chart"]);
        Assert.Null(notYet["administrasi"]);
        Assert.False((bool)notYet["status_suara"]!);

        var provinces = await JsonArrayAsync(http, "/wilayah/pemilu/ppwp/0.json");
        Assert.Contains(provinces, p => (string)p!["kode"]! == "11" && (string)p["nama"]! == "ACEH" && (int)p["tingkat"]! == 1);
        var villageStations = await JsonArrayAsync(http, "/wilayah/pemilu/ppwp/11/1101/110101/1101012001.json");
        Assert.Equal(["1101012001001", "1101012001002", "1101012001003"], villageStations.Select(s => (string)s!["kode"]!));
        Assert.All(villageStations, s => Assert.Equal(5, (int)s!["tingkat"]!));
        var pairs = await JsonAsync(http, "/pemilu/ppwp.json");
        Assert.Equal(["100025", "100026", "100027"], pairs.Select(p => p.Key));
        Assert.Equal(2, (int)pairs["100026"]!["nomor_urut"]!);
    }

    [Fact]
    public async Task FilesAreCachedByTheTotalsVersionAndAnswer304UntilTheTotalsChange()
    {
        var server = servers.Pilpres2019;
        var ingest = server.Ingest();
        var station = TestStations.Next();
        await ingest.PostAsync(Forms.Body(station, 60, 70));
        await server.SettledResultsAsync();
        var index = Pilpres2019.FindStation(station)!.Value;
        var chain = Chain(Pilpres2019, Pilpres2019.Stations.Village[index]);
        // Each file and the read API's group whose version is its ETag (a station's: its village).
        (string File, string Group)[] files =
        [
            ("/static/json/hhcw/ppwp.json", "0"),
            ($"/static/json/hhcw/ppwp/{chain[0]}.json", chain[0]),
            ($"/static/json/hhcw/ppwp/{string.Join('/', chain)}.json", chain[^1]),
            ($"/static/json/hhcw/ppwp/{string.Join('/', chain)}/{Pilpres2019.Stations.Number[index]}.json", chain[^1]),
        ];
        var http = server.Anonymous();
        var before = new List<EntityTagHeaderValue>();
        foreach (var (file, group) in files)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, file) { Headers = { { "Origin", "https://news.example" } } };
            using var response = await http.SendAsync(request);
            using var api = await http.GetAsync($"/api/v1/results/ppwp/{group}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(api.Headers.ETag, response.Headers.ETag);
            Assert.True(response.Headers.CacheControl is { Public: true } cache && cache.MaxAge == TimeSpan.FromSeconds(5), file);
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal(HttpStatusCode.NotModified, (await GetIfNoneMatchAsync(http, file, response.Headers.ETag!)).StatusCode);
            before.Add(response.Headers.ETag!);
        }

        await ingest.PostAsync(Forms.Body(station, 61, 70)); // a correction: the station, its village and every region above change
        await server.SettledResultsAsync();

        for (var i = 0; i < files.Length; i++)
        {
            using var response = await GetIfNoneMatchAsync(http, files[i].File, before[i]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotEqual(before[i], response.Headers.ETag);
        }
        var stationFile = await JsonAsync(http, files[^1].File);
        Assert.Equal(61, (long)stationFile["chart"]!["21"]!);
    }

    [Fact]
    public async Task UnknownFilesBrokenChainsAndTheOtherYearsFilesAre404()
    {
        var http2019 = servers.Pilpres2019.Anonymous();
        var http2024 = servers.Pemilu2024.Anonymous();
        (HttpClient Client, string Path)[] missing =
        [
            (http2019, "/static/json/hhcw/ppwp/99999999.json"),
            (http2019, "/static/json/hhcw/ppwp/1/13608.json"),           // a regency of SUMATERA BARAT under ACEH
            (http2019, "/static/json/hhcw/ppwp/1492.json"),              // a regency without its province
            (http2019, "/static/json/hhcw/ppwp/1/1492/1654/1656/9.json"), // no TPS 9 in ALUE BAKONG
            (http2019, "/static/json/hhcw/ppwp/1/1492/1654/1656/1/2.json"),
            (http2019, "/static/json/hhcw/ppwp/1"),
            (http2019, "/static/json/wilayah/1/1492/1654/1656/1.json"),  // lists stop at the village
            (http2019, "/pemilu/hhcw/ppwp.json"),
            (http2019, "/wilayah/pemilu/ppwp/0.json"),
            (http2024, "/static/json/hhcw/ppwp.json"),
            (http2024, "/static/json/ppwp.json"),
            (http2024, "/pemilu/hhcw/ppwp/11/1201.json"),
            (http2024, "/pemilu/hhcw/ppwp/11/1101/110101/1101012001/1101012002002.json"), // a station of the next village
            (http2024, "/pemilu/hhcw/ppwp/11/1101/110101/1101012001/1101012001009.json"),
        ];
        foreach (var (client, path) in missing)
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnUnmodifiedOldPollerGivenOnlyTheHostReadsTheReadApisTotals(bool pemilu2024)
    {
        var server = pemilu2024 ? servers.Pemilu2024 : servers.Pilpres2019;
        var election = pemilu2024 ? Pemilu2024 : Pilpres2019;
        var ingest = server.Ingest();
        string[] stations;
        if (pemilu2024)
        {
            // Aceh, Bali and abroad (codes such as 9901010001 and, higher up, 99AA), plus what other tests counted.
            stations = ["1101012002001", FirstStationUnder(election, "51"), "9901010001002"];
            for (var i = 0; i < stations.Length; i++) await ingest.PostAsync(Pairs(stations[i], 50 + i, 60, 70 - i));
        }
        else
        {
            stations = [TestStations.Next(), TestStations.Next(), "-991304.1001"]; // the last a postal vote in Taipei
            for (var i = 0; i < stations.Length; i++) await ingest.PostAsync(Forms.Body(stations[i], 50 + i, 60));
        }
        var national = await server.SettledResultsAsync();

        var (exitCode, stdout) = await RunPollerAsync(server.ServerAddress.ToString());

        output.WriteLine(stdout);
        Assert.True(exitCode == 0, stdout);
        var pairs = pemilu2024 ? "01 02 03" : "01 02";
        var votes = string.Join(' ', pairs.Split(' ').Select(p => $"{p}={national.Votes[p]}"));
        Assert.Contains($"NASIONAL {votes} TPS={national.Stations.Reported}/{national.Stations.Total}", stdout);
        // Walking down only where there is data reaches every counted station, and they add up to the nation.
        Assert.Contains($"WALKED {votes} TPS={national.Stations.Reported}", stdout);
        Assert.Contains(", 0 mismatches", stdout);
        foreach (var station in stations)
        {
            var index = election.FindStation(station)!.Value;
            var key = pemilu2024 ? station : $"{string.Join('/', Chain(election, election.Stations.Village[index]))}/{election.Stations.Number[index]}";
            Assert.Contains($"TPS {(pemilu2024 ? "" : "/")}{key} ", stdout);
        }
    }

    private static async Task AssertTotals2019(HttpClient http, string path, string region)
    {
        var file = await JsonAsync(http, path);
        var api = await http.ResultsAsync(region);
        Assert.Matches(Timestamp(), (string)file["ts"]!);
        Assert.Equal(api.Votes["01"], (long)file["chart"]!["21"]!);
        Assert.Equal(api.Votes["02"], (long)file["chart"]!["22"]!);
        Assert.Equal(api.Stations.Total, (long)file["progress"]!["total"]!);
        Assert.Equal(api.Stations.Reported, (long)file["progress"]!["proses"]!);
        var table = file["table"]!.AsObject();
        Assert.Equal(api.Children.Count, table.Count);
        foreach (var child in api.Children)
        {
            var key = child.Level == "tps" ? child.Id[(child.Id.LastIndexOf('.') + 1)..] : child.Id;
            var row = table[key]!.AsObject();
            if (child.Stations.Reported == 0) Assert.True(row["21"] is null && row["22"] is null, $"{path} {key}");
            else Assert.Equal((child.Votes["01"], child.Votes["02"]), ((long)row["21"]!, (long)row["22"]!));
        }
    }

    private static async Task AssertTotals2024(HttpClient http, string path, string region)
    {
        var file = await JsonAsync(http, path);
        var api = await http.ResultsAsync(region);
        Assert.Matches(Timestamp(), (string)file["ts"]!);
        Assert.Equal(("Reguler", "hhcw"), ((string)file["psu"]!, (string)file["mode"]!));
        var chart = file["chart"]!;
        Assert.Equal((api.Votes["01"], api.Votes["02"], api.Votes["03"]), ((long)chart["100025"]!, (long)chart["100026"]!, (long)chart["100027"]!));
        Assert.Equal(Percent(api.Stations), (double)chart["persen"]!);
        Assert.Equal(api.Stations.Total, (long)file["progres"]!["total"]!);
        Assert.Equal(api.Stations.Reported, (long)file["progres"]!["progres"]!);
        var table = file["table"]!.AsObject();
        Assert.Equal(api.Children.Select(c => c.Id).Order(), table.Select(t => t.Key).Order());
        foreach (var child in api.Children)
        {
            var row = table[child.Id]!.AsObject();
            Assert.Equal("Reguler", (string)row["psu"]!);
            Assert.Equal(child.Stations.Reported > 0, (bool)row["status_progress"]!);
            Assert.Equal(Percent(child.Stations), (double)row["persen"]!);
            if (child.Stations.Reported == 0) Assert.False(row.ContainsKey("100025"), $"{path} {child.Id}");
            else Assert.Equal((child.Votes["01"], child.Votes["02"], child.Votes["03"]), ((long)row["100025"]!, (long)row["100026"]!, (long)row["100027"]!));
        }
    }

    private static double Percent(StationCounts stations) =>
        stations.Total == 0 ? 0 : Math.Round(100.0 * stations.Reported / stations.Total, 2, MidpointRounding.AwayFromZero);

    private static async Task<JsonObject> JsonAsync(HttpClient http, string path) => (await ReadAsync(http, path)).AsObject();

    private static async Task<JsonArray> JsonArrayAsync(HttpClient http, string path) => (await ReadAsync(http, path)).AsArray();

    private static async Task<JsonNode> ReadAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task<HttpResponseMessage> GetIfNoneMatchAsync(HttpClient http, string path, EntityTagHeaderValue etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.IfNoneMatch.Add(etag);
        return await http.SendAsync(request);
    }

    /// <summary>The ids from the province down to <paramref name="region"/>: the segments of the commission's paths.</summary>
    private static List<string> Chain(Election election, int region) =>
        election.Regions.SelfAndAncestors(region).Where(r => r != RegionTree.National).Reverse().Select(r => election.Regions.Id[r]).ToList();

    private static string FirstStationUnder(Election election, string region)
    {
        var within = election.FindRegion(region)!.Value;
        return election.StationId(Enumerable.Range(0, election.Stations.Count).First(s => election.IsUnder(s, within)));
    }

    /// <summary>A 2024 presidential form: the three pairs' votes.</summary>
    private static object Pairs(string station, int a, int b, int c, int invalid = 0) => new
    {
        station, contest = "ppwp", votes = new Dictionary<string, int> { ["01"] = a, ["02"] = b, ["03"] = c },
        valid = a + b + c, invalid, total = a + b + c + invalid,
    };

    private static async Task<(int ExitCode, string Output)> RunPollerAsync(string host)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(LocalCluster.RepoRoot, "scripts", "old-poller-example.py"));
        start.ArgumentList.Add(host);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the poller did not finish within 120 s:\n" + await stdout);
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")]
    private static partial Regex Timestamp();
}

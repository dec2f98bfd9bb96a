using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broadcast.History;
using Broadcast.Ingest;
using Broadcast.IntegrationTests.Cluster;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Broadcast.Storage;

namespace Broadcast.IntegrationTests;

/// <summary>
/// The totals as of a past moment (<c>?asOf=</c>) on a real 2019 province replayed as on
/// election night, with the volunteers' corrections, a quarantined form an operator accepts and
/// one it rejects: at several seqs and times, every answer from the province down to its
/// stations equals what the independent checker (scripts/check-totals.py, reading the SQLite
/// file itself) folds from the revisions up to that moment.
/// </summary>
public sealed class AsOfTests : IDisposable
{
    private const string Province = "928068"; // KALIMANTAN UTARA, 2,186 stations
    private static readonly TimeSpan Wib = TimeSpan.FromHours(7);
    private readonly BroadcastFactory _server = new();

    [Fact]
    public async Task AnswersAtSeveralMomentsOfARealProvinceEqualTheIndependentChecker()
    {
        var election = BroadcastFactory.Election;
        var province = election.FindRegion(Province)!.Value;
        var rows = SharedData.Read(station => election.FindStation(station) is { } s && election.IsUnder(s, province));
        var ingest = _server.Ingest();
        var client = _server.Anonymous();

        // Situng's numbers in arrival order, then the volunteers' where any of them differs; a pause after
        // each batch so that batches are received at different milliseconds.
        var corrections = rows.Where(r => r.Volunteer is { } v && !v.SequenceEqual(r.Situng))
            .Select(r => (r.Station, Numbers: r.Volunteer!)).ToList();
        var forms = rows.Select(r => (r.Station, Numbers: r.Situng)).Concat(corrections).ToList();
        var latest = new Dictionary<string, FormReceipt>();
        var batchEnds = new List<LogPoint>();
        foreach (var chunk in forms.Chunk(250))
        {
            var response = await ingest.PostAsJsonAsync("/api/v1/forms:batch", chunk.Select(f => SharedData.Form(f.Station, f.Numbers)));
            foreach (var receipt in (await response.Content.ReadFromJsonAsync<BatchReceipts>())!.Receipts) latest[receipt.Station] = receipt;
            batchEnds.Add((await client.GetFromJsonAsync<HistorySpan>("/api/v1/history"))!.Latest!);
            await Task.Delay(20);
        }
        Assert.True(corrections.Count > 50, "real data has corrections");
        var situngEnd = batchEnds[(rows.Count - 1) / 250 - 1];

        // Two stations still held: an operator accepts one and rejects the other.
        var held = latest.Values.Where(r => r.Status == FormReceipt.Quarantined).Take(2).ToList();
        Assert.Equal(2, held.Count);
        var beforeDecisions = batchEnds[^1].Seq;
        var op = _server.Operator();
        var accepted = await Decide(op, held[0], "accept");
        var rejected = await Decide(op, held[1], "reject");

        // At every moment, from the province down to its stations, the server agrees with the checker.
        var moments = new List<string>
        {
            $"seq:{batchEnds[2].Seq}",
            Time(batchEnds[5].ReceivedAt.AddMilliseconds(1)),       // a time between two batches
            $"seq:{situngEnd.Seq}",                                  // before the corrections
            Time(batchEnds[^2].ReceivedAt),                          // mid-corrections, a batch's own time
            $"seq:{beforeDecisions}",                                // both stations held
            $"seq:{accepted.Seq}",                                   // one accepted, the other still held
            $"seq:{rejected.Seq}",                                   // the other rejected: no longer held
        };
        foreach (var moment in moments)
        {
            var (exit, output) = await CheckAsync(moment);
            Assert.True(exit == 0, $"as of {moment}: {output}");
            Assert.Contains("mismatches: 0", output);
            Assert.Matches(@"groups asked: [5-9]\d\d,", output); // the province, its regencies, districts and villages
        }

        // The accepted station: held before the decision, counted after; the rejected one no longer held.
        async Task<ChildResults> StationAt(string station, long seq)
        {
            var village = election.Regions.Id[election.Stations.Village[election.FindStation(station)!.Value]];
            var snapshot = (await client.GetFromJsonAsync<ResultsSnapshot>($"/api/v1/results/ppwp/{village}?asOf=seq:{seq}"))!;
            return snapshot.Children.Single(c => c.Id == station);
        }
        Assert.Equal(new StationCounts(1, 0, 1), (await StationAt(held[0].Station, beforeDecisions)).Stations);
        Assert.Equal(new StationCounts(1, 1, 0), (await StationAt(held[0].Station, accepted.Seq)).Stations);
        Assert.Equal(new StationCounts(1, 0, 1), (await StationAt(held[1].Station, accepted.Seq)).Stations);
        Assert.Equal(new StationCounts(1, 0, 0), (await StationAt(held[1].Station, rejected.Seq)).Stations);

        // The latest moment is the live totals.
        var live = await _server.SettledResultsAsync(Province);
        var last = (await client.GetFromJsonAsync<ResultsSnapshot>($"/api/v1/results/ppwp/{Province}?asOf=seq:{rejected.Seq}"))!;
        Assert.Equal(Comparable(live), Comparable(last));
        Assert.Equal(new AsOfMoment(rejected.Seq, last.AsOf!.ReceivedAt, Final: true), last.AsOf);
    }

    [Fact]
    public async Task AMomentInThePastIsCachedForGoodAndOneNotStoredYetIsAConflict()
    {
        var ingest = _server.Ingest();
        var client = _server.Anonymous();
        var first = await ingest.PostAsync(Forms.Body(TestStations.Next(), 120, 80));
        await Task.Delay(20);
        var second = await ingest.PostAsync(Forms.Body(TestStations.Next(), 10, 20));

        using var response = await client.GetAsync($"/api/v1/results/ppwp?asOf=seq:{first.Seq}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"\"asof.{first.Seq}\"", response.Headers.ETag!.Tag);
        Assert.True(response.Headers.CacheControl is { Public: true, MaxAge.TotalDays: 365 }, response.Headers.CacheControl?.ToString());
        Assert.Contains(response.Headers.CacheControl!.Extensions, e => e.Name == "immutable");
        var snapshot = (await response.Content.ReadFromJsonAsync<ResultsSnapshot>())!;
        Assert.Equal((AsOfResults.Epoch, first.Seq), (snapshot.Epoch, snapshot.Version));
        Assert.Equal([120L, 80L], [snapshot.Votes["01"], snapshot.Votes["02"]]);
        // The moment names its link in the chain: the revision it was folded up to.
        var link = (await client.GetFromJsonAsync<JsonNode>($"/api/v1/chain/revisions?after={first.Seq - 1}&limit=1"))!;
        Assert.Equal(first.Seq, snapshot.Chain!.Seq);
        Assert.Contains(snapshot.Chain.Hash, link.ToJsonString());

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/results/ppwp?asOf=seq:{first.Seq}");
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"asof.{first.Seq}\""));
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);

        // Not stored yet, or in the future: 409 naming the latest moment there is.
        foreach (var query in new[] { $"seq:{second.Seq + 1}", Time(DateTimeOffset.UtcNow.AddMinutes(5)) })
        {
            using var notYet = await client.GetAsync($"/api/v1/results/ppwp/0?asOf={Uri.EscapeDataString(query)}");
            Assert.Equal(HttpStatusCode.Conflict, notYet.StatusCode);
            Assert.Equal("application/problem+json", notYet.Content.Headers.ContentType!.MediaType);
            var problem = JsonNode.Parse(await notYet.Content.ReadAsStringAsync())!;
            Assert.Equal(second.Seq, (long)problem["latest"]!["seq"]!);
        }

        // Now (after the latest revision, not in the future): the latest totals, which may still grow.
        await Task.Delay(5);
        using var now = await client.GetAsync($"/api/v1/results/ppwp?asOf={Uri.EscapeDataString(Time(DateTimeOffset.UtcNow))}");
        Assert.Equal(HttpStatusCode.OK, now.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), now.Headers.CacheControl!.MaxAge);
        var open = (await now.Content.ReadFromJsonAsync<ResultsSnapshot>())!;
        Assert.Equal(new AsOfMoment(second.Seq, open.AsOf!.ReceivedAt, Final: false), open.AsOf);
        Assert.Equal($"\"asof.{second.Seq}.open\"", now.Headers.ETag!.Tag);

        // A '+' left unescaped in the query string reads as a space: still the offset it was.
        var at = open.AsOf.ReceivedAt!.Value.ToOffset(Wib).AddMilliseconds(-1).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
        var plain = (await client.GetFromJsonAsync<ResultsSnapshot>($"/api/v1/results/ppwp?asOf={at}"))!;
        Assert.Equal(new AsOfMoment(first.Seq, snapshot.AsOf!.ReceivedAt, Final: true), plain.AsOf);
    }

    [Theory]
    [InlineData("asOf=", "neither")]
    [InlineData("asOf=seq:-5", "not a seq")]
    [InlineData("asOf=2019-04-17T21:00:00", "has no offset")]
    [InlineData("asOf=kemarin", "neither")]
    public async Task ABadAsOfIsAProblemNamingIt(string query, string says)
    {
        using var response = await _server.Anonymous().GetAsync($"/api/v1/results/ppwp/0?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains(says, (string)problem["errors"]!["asOf"]![0]!);
    }

    private static async Task<FormReceipt> Decide(HttpClient op, FormReceipt held, string decision)
    {
        using var response = await op.PostAsJsonAsync($"/api/v1/stations/{held.Station}/forms/ppwp/{held.Revision}/{decision}",
            new { reason = "C1 photo checked" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<FormReceipt>())!;
    }

    private static string Time(DateTimeOffset time) =>
        time.ToOffset(Wib).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    /// <summary>A snapshot without what tells live and past answers apart (epoch, version, asOf; the chain link names the version).</summary>
    private static string Comparable(ResultsSnapshot snapshot) =>
        System.Text.Json.JsonSerializer.Serialize(snapshot with { Epoch = "", Version = 0, AsOf = null, Chain = null });

    private async Task<(int ExitCode, string Output)> CheckAsync(string moment)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     Path.Combine(LocalCluster.RepoRoot, "scripts", "check-totals.py"), _server.DatabasePath,
                     SharedData.Find(Path.Combine("pilpres2019", "regions.csv.gz")), "--as-of", moment,
                     "--api", _server.ServerAddress.ToString(), "--under", Province, "--depth", "3",
                 })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the checker did not finish within 180 s:\n{await stdout}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    public void Dispose() => _server.Dispose();
}

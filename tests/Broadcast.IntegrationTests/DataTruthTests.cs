using System.Net.Http.Json;
using Broadcast.Aggregation;
using Broadcast.Ingest;
using Broadcast.IntegrationTests.Support;
using Broadcast.Storage;

namespace Broadcast.IntegrationTests;

/// <summary>
/// One real 2019 province replayed through the HTTP API as on election night (Situng numbers,
/// then the volunteers' numbers as corrections): every region's totals must equal the sum of
/// its counted forms, and viewers that only applied pushed deltas must hold the same totals.
/// </summary>
public sealed class DataTruthTests : IDisposable
{
    private const string Province = "928068"; // KALIMANTAN UTARA, 2,186 stations
    private readonly BroadcastFactory _server = new();

    [Fact]
    public async Task ReplayedProvinceTotalsEqualTheSumOfCountedFormsAtEveryRegion()
    {
        var election = BroadcastFactory.Election;
        var province = election.FindRegion(Province)!.Value;
        var rows = SharedData.Read(station => election.FindStation(station) is { } s && election.IsUnder(s, province));
        await using var national = await Viewer.ConnectAsync(_server, Protocols.MessagePack);
        await using var provinceViewer = await Viewer.ConnectAsync(_server, Protocols.Json, region: Province);
        var ingest = _server.Ingest();

        // What the totals must be: per station, the numbers of its latest revision that was counted.
        var counted = new Dictionary<string, int[]>();
        var pending = new HashSet<string>();
        var corrections = rows.Where(r => r.Volunteer is { } v && (v[0] != r.Situng[0] || v[1] != r.Situng[1]))
            .Select(r => (r.Station, Numbers: r.Volunteer!));
        var forms = rows.Select(r => (r.Station, Numbers: r.Situng)).Concat(corrections).ToList();
        long lastSeq = 0;
        foreach (var chunk in forms.Chunk(400))
        {
            var response = await ingest.PostAsJsonAsync("/api/v1/forms:batch", chunk.Select(f => SharedData.Form(f.Station, f.Numbers)));
            var receipts = (await response.Content.ReadFromJsonAsync<BatchReceipts>())!.Receipts;
            for (var i = 0; i < chunk.Length; i++)
            {
                var (station, numbers) = chunk[i];
                lastSeq = Math.Max(lastSeq, receipts[i].Seq);
                if (receipts[i].Status == FormReceipt.Counted) { counted[station] = numbers; pending.Remove(station); }
                else if (receipts[i].Status == FormReceipt.Quarantined) pending.Add(station);
            }
        }
        await national.WaitForVersionAsync(lastSeq, TimeSpan.FromSeconds(60));
        await provinceViewer.WaitForVersionAsync(lastSeq, TimeSpan.FromSeconds(60));

        Assert.True(rows.Count > 2000);
        Assert.True(pending.Count > 0, "real data has quarantined forms");
        var client = _server.Anonymous();
        var regions = new[] { 0 }.Concat(Subtree(province)).ToList();
        foreach (var region in regions)
        {
            var stations = counted.Keys.Where(s => election.IsUnder(election.FindStation(s)!.Value, region)).ToList();
            var actual = await client.ResultsAsync(election.Regions.Id[region]);
            var id = election.Regions.Id[region];
            Assert.True(stations.Count == actual.Stations.Reported, $"reported at {id}");
            Assert.True(stations.Sum(s => (long)counted[s][0]) == actual.Votes["01"], $"01 at {id}");
            Assert.True(stations.Sum(s => (long)counted[s][1]) == actual.Votes["02"], $"02 at {id}");
            Assert.True(stations.Sum(s => (long)counted[s][2]) == actual.Valid, $"valid at {id}");
            Assert.True(stations.Sum(s => (long)counted[s][3]) == actual.Invalid, $"invalid at {id}");
            Assert.True(pending.Count(s => election.IsUnder(election.FindStation(s)!.Value, region)) == actual.Stations.Quarantined, $"quarantined at {id}");
        }

        foreach (var (viewer, region) in new[] { (national, "0"), (provinceViewer, Province) })
        {
            var truth = await client.ResultsAsync(region);
            Assert.Equal(truth.Version, viewer.Version);
            Assert.Equal(truth.Votes, viewer.Votes);
            Assert.Equal(truth.Stations, viewer.Stations);
            Assert.Equivalent(truth.Children.ToDictionary(c => c.Id), viewer.Children);
        }
        var reconcile = await _server.Operator().PostAsync("/api/v1/operator/reconcile", null);
        Assert.Empty((await reconcile.Content.ReadFromJsonAsync<ReconciliationReport>())!.Drift);
    }

    private static IEnumerable<int> Subtree(int region)
    {
        yield return region;
        foreach (var child in BroadcastFactory.Election.Regions.Children[region])
            foreach (var r in Subtree(child)) yield return r;
    }

    public void Dispose() => _server.Dispose();
}

using System.Net.Http.Json;
using Broadcast.Aggregation;
using Broadcast.IntegrationTests.Storage;
using Broadcast.IntegrationTests.Support;
using Broadcast.Storage;

namespace Broadcast.IntegrationTests;

/// <summary>The whole server on PostgreSQL (<c>Storage:Provider=postgres</c>), on a database of its own.</summary>
public sealed class PostgresServerTests : IAsyncLifetime
{
    private string _database = "";
    private BroadcastFactory? _server;

    public async Task InitializeAsync()
    {
        _database = await PostgresTestServer.CreateDatabaseAsync();
        _server = new BroadcastFactory(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:PostgresConnectionString"] = _database,
        });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        if (_database.Length > 0) await PostgresTestServer.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task CorrectionReplacesEarlierRevisionInTotalsAndReconcilesWithoutDrift()
    {
        var server = _server!;
        Assert.IsType<PostgresStore>(server.Store);
        await using var viewer = await Viewer.ConnectAsync(server, Protocols.Json);
        var ingest = server.Ingest();
        var station = TestStations.Next();

        var first = await ingest.PostAsync(Forms.Body(station, 120, 80));
        await viewer.WaitForVersionAsync(first.Seq);
        var between = await ingest.ResultsAsync();
        var corrected = await ingest.PostAsync(Forms.Body(station, 110, 95, invalid: 2));
        await viewer.WaitForVersionAsync(corrected.Seq);
        var after = await ingest.ResultsAsync();

        Assert.Equal((1, 2), (first.Revision, corrected.Revision));
        Assert.True(corrected.Seq > first.Seq);
        Assert.Equal(between.Votes["01"] - 10, after.Votes["01"]);
        Assert.Equal(between.Votes["02"] + 15, after.Votes["02"]);
        Assert.Equal(between.Valid + 5, after.Valid);
        Assert.Equal(between.Invalid + 2, after.Invalid);
        Assert.Equal(between.Stations.Reported, after.Stations.Reported);
        Assert.Equal(after.Votes, viewer.Votes);

        using var reconcile = await server.Operator().PostAsync("/api/v1/operator/reconcile", null);
        reconcile.EnsureSuccessStatusCode();
        var report = (await reconcile.Content.ReadFromJsonAsync<ReconciliationReport>())!;
        Assert.True(report.Version >= corrected.Seq, $"reconciled up to {report.Version}, before {corrected.Seq}");
        Assert.Empty(report.Drift);
    }

    [Fact]
    public async Task ALookBackReadsTheRevisionLogOfPostgres()
    {
        var server = _server!;
        var ingest = server.Ingest();
        var station = TestStations.Next();
        var first = await ingest.PostAsync(Forms.Body(station, 120, 80));
        var between = await server.SettledResultsAsync();
        await Task.Delay(20);
        await ingest.PostAsync(Forms.Body(station, 110, 95, invalid: 2));
        await server.SettledResultsAsync();

        var trail = (await ingest.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>($"/api/v1/stations/{station}/forms/ppwp"))!;
        var received = DateTimeOffset.Parse((string)trail["revisions"]![0]!["receivedAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var asOf in new[] { $"seq:{first.Seq}", Uri.EscapeDataString(received.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz")) })
        {
            var past = (await ingest.GetFromJsonAsync<Results.ResultsSnapshot>($"/api/v1/results/ppwp?asOf={asOf}"))!;
            Assert.Equal(new Results.AsOfMoment(first.Seq, received, Final: true), past.AsOf);
            Assert.Equal(between.Votes, past.Votes);
            Assert.Equal((between.Stations, between.Valid, between.Invalid), (past.Stations, past.Valid, past.Invalid));
        }
    }
}

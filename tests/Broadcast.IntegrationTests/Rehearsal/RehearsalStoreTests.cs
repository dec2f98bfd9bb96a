using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;

namespace Broadcast.IntegrationTests.Rehearsal;

/// <summary>
/// Rehearsals never touch the real count: a rehearsal server writes to its own database, which
/// is marked so that a live server refuses it (and the other way round), says REHEARSAL /
/// LATIHAN to every screen, and can be cleared by an operator.
/// </summary>
public sealed class RehearsalStoreTests : IDisposable
{
    private readonly string _live = TempDb("live"), _rehearsal = TempDb("rehearsal");

    private static string TempDb(string what) => Path.Combine(Path.GetTempPath(), $"broadcast-{what}-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _live, _rehearsal })
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
    }

    private BroadcastFactory Server(bool rehearsal, string? rehearsalPath = null) => new(new Dictionary<string, string?>
    {
        ["Storage:SqlitePath"] = _live,
        ["Rehearsal:Enabled"] = rehearsal ? "true" : "false",
        ["Rehearsal:SqlitePath"] = rehearsalPath ?? _rehearsal,
    });

    private static long Revisions(string path)
    {
        if (!File.Exists(path)) return 0;
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM revisions";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task A_rehearsal_writes_to_its_own_database_and_every_screen_is_told()
    {
        using (var live = Server(rehearsal: false))
            await live.Ingest().PostAsync(Forms.Body(TestStations.Next(), 10, 20));
        using (var server = Server(rehearsal: true))
        {
            using var ingest = server.Ingest();
            for (var i = 0; i < 3; i++) await ingest.PostAsync(Forms.Body(TestStations.Next(), 100, 50));
            await server.SettledResultsAsync();
            var election = await server.Anonymous().GetFromJsonAsync<JsonElement>("/api/v1/election");
            Assert.True(election.GetProperty("rehearsal").GetBoolean());
            Assert.Contains("LATIHAN", election.GetProperty("notice").GetString());
            var graphics = await server.Anonymous().GetFromJsonAsync<JsonElement>("/api/v1/graphics/ppwp/0");
            Assert.Contains("REHEARSAL", graphics.GetProperty("notice").GetString());
        }
        Assert.Equal(1, Revisions(_live));
        Assert.Equal(3, Revisions(_rehearsal));
    }

    [Fact]
    public async Task A_live_server_refuses_a_rehearsal_database_and_a_rehearsal_refuses_a_live_one()
    {
        using (var rehearsal = Server(rehearsal: true))
            await rehearsal.Ingest().PostAsync(Forms.Body(TestStations.Next(), 10, 20));
        using (var live = new BroadcastFactory(new Dictionary<string, string?> { ["Storage:SqlitePath"] = _rehearsal }))
            Assert.Contains("holds a rehearsal", Assert.ThrowsAny<Exception>(() => live.ServerAddress).ToString());

        using (var live = Server(rehearsal: false))
            await live.Ingest().PostAsync(Forms.Body(TestStations.Next(), 10, 20));
        var other = TempDb("other");
        try
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal" }) if (File.Exists(_live + suffix)) File.Copy(_live + suffix, other + suffix);
            using var rehearsal = Server(rehearsal: true, rehearsalPath: other);
            Assert.Contains("holds a live count", Assert.ThrowsAny<Exception>(() => rehearsal.ServerAddress).ToString());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(other + suffix);
        }

        using var same = Server(rehearsal: true, rehearsalPath: _live);
        Assert.Contains("Rehearsal:SqlitePath is the live database", Assert.ThrowsAny<Exception>(() => same.ServerAddress).ToString());
    }

    [Fact]
    public async Task An_operator_resets_a_rehearsal_and_every_viewer_starts_again_from_nothing()
    {
        using var server = Server(rehearsal: true);
        using var ingest = server.Ingest();
        var station = TestStations.Next();
        await ingest.PostAsync(Forms.Body(station, 100, 50));
        var before = await server.SettledResultsAsync();
        Assert.Equal(1, before.Stations.Reported);

        await using var hub = server.Hub(Protocols.MessagePack);
        var rebuilt = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.On<TotalsRebuilt>("TotalsRebuilt", m => rebuilt.TrySetResult(m.Epoch));
        await hub.StartAsync();
        await hub.InvokeAsync<ResultsSnapshot>("Subscribe", "ppwp", "0");

        using var op = server.Operator();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await op.PostAsJsonAsync("/api/v1/operator/rehearsal/reset", new { reason = "" })).StatusCode);
        var reset = await op.PostAsJsonAsync("/api/v1/operator/rehearsal/reset", new { reason = "second run-through at 14:00" });
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var epoch = await rebuilt.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(before.Epoch, epoch);

        var after = await server.Anonymous().ResultsAsync();
        Assert.Equal((0L, 0L, epoch), (after.Stations.Reported, after.Valid, after.Epoch));
        var trail = await server.Anonymous().GetFromJsonAsync<JsonElement>($"/api/v1/stations/{station}/forms/ppwp");
        Assert.Empty(trail.GetProperty("revisions").EnumerateArray());
        var actions = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/actions");
        Assert.Contains(actions.EnumerateArray(), a => a.GetProperty("action").GetString() == "rehearsal-reset"
            && a.GetProperty("reason").GetString() == "second run-through at 14:00");

        // The next rehearsal counts from nothing, with its chain starting again.
        await ingest.PostAsync(Forms.Body(station, 7, 3));
        var again = await server.SettledResultsAsync();
        Assert.Equal((1L, 10L), (again.Stations.Reported, again.Valid));
        var chain = await server.Anonymous().GetFromJsonAsync<JsonElement>("/api/v1/chain");
        Assert.Null(chain.GetProperty("check").GetProperty("firstBreak").GetString());
        // Looking back, and holding, see only the new rehearsal: the reset took the old one out of the log.
        var asOf = await server.Anonymous().GetFromJsonAsync<ResultsSnapshot>($"/api/v1/results/ppwp/0?asOf=seq:{again.Version}");
        Assert.Equal((1L, 10L), (asOf!.Stations.Reported, asOf.Valid));
        var history = await server.Anonymous().GetFromJsonAsync<JsonElement>("/api/v1/history");
        Assert.True(history.GetProperty("first").GetProperty("seq").GetInt64() > before.Version, history.GetRawText());
        (await op.PostAsJsonAsync("/api/v1/operator/holds", new { contest = "ppwp", region = "0", reason = "on air" })).EnsureSuccessStatusCode();
        var held = await server.Anonymous().ResultsAsync();
        Assert.Equal((1L, 10L), (held.Stations.Reported, held.Valid));
    }

    [Fact]
    public async Task A_live_server_cannot_be_reset()
    {
        using var server = Server(rehearsal: false);
        using var op = server.Operator();
        var reset = await op.PostAsJsonAsync("/api/v1/operator/rehearsal/reset", new { reason = "oops" });
        Assert.Equal(HttpStatusCode.Conflict, reset.StatusCode);
    }
}

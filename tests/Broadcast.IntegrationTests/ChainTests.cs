using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Broadcast.IntegrationTests.Cluster;
using Broadcast.IntegrationTests.Support;
using Broadcast.Storage;
using Microsoft.Data.Sqlite;

namespace Broadcast.IntegrationTests;

/// <summary>
/// The tamper-evident log (docs/api.md, "The chain"): snapshots carry the link they come from,
/// the chain is readable in pages and as an export, the independent verifier
/// (scripts/verify-chain.py) agrees with the server, and a revision altered in the database
/// afterwards is caught by the verifier, by the server at start-up and on /health/ready.
/// </summary>
public sealed class ChainTests : IDisposable
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"broadcast-chain-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_database + suffix);
    }

    private BroadcastFactory Server() => new(new Dictionary<string, string?> { ["Storage:SqlitePath"] = _database });

    /// <summary>A small night: 12 stations, a correction, a quarantined form an operator accepts; aggregated.</summary>
    private static async Task<List<string>> PostNightAsync(BroadcastFactory server)
    {
        using var ingest = server.Ingest();
        var stations = Enumerable.Range(0, 12).Select(_ => TestStations.Next()).ToList();
        for (var i = 0; i < stations.Count; i++) await ingest.PostAsync(Forms.Body(stations[i], 100 + i, 50 + i, invalid: 3));
        await ingest.PostAsync(Forms.Body(stations[0], 120, 40, invalid: 3)); // a correction
        var held = await ingest.PostAsync(Forms.Body(stations[1], 100, 50, invalid: 3, total: 400)); // quarantined: total does not add up
        Assert.Equal("quarantined", held.Status);
        using var op = server.Operator();
        var accept = await op.PostAsJsonAsync($"/api/v1/stations/{stations[1]}/forms/ppwp/{held.Revision}/accept",
            new { reason = "the photo shows 400 voters; the form's total is right" });
        Assert.Equal(HttpStatusCode.Accepted, accept.StatusCode);
        await server.SettledResultsAsync();
        return stations;
    }

    [Fact]
    public async Task Snapshots_name_their_link_pages_and_export_hold_the_log_and_the_verifier_agrees_with_the_server()
    {
        using var server = Server();
        var stations = await PostNightAsync(server);
        using var anonymous = server.Anonymous();

        var national = await anonymous.GetFromJsonAsync<JsonElement>("/api/v1/results/ppwp/0");
        var version = national.GetProperty("version").GetInt64();
        var link = national.GetProperty("chain");
        Assert.Equal(version, link.GetProperty("seq").GetInt64());

        var info = await anonymous.GetFromJsonAsync<JsonElement>("/api/v1/chain");
        Assert.Equal(15, info.GetProperty("head").GetProperty("seq").GetInt64());
        Assert.Equal(info.GetProperty("head").GetProperty("hash").GetString(), info.GetProperty("committed").GetProperty("hash").GetString());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("check").GetProperty("firstBreak").ValueKind);

        // Pages of 4: full ones are cacheable for ever, the last one is not, and they chain.
        var paged = new List<JsonElement>();
        long? after = 0;
        while (after is { } from)
        {
            using var response = await anonymous.GetAsync($"/api/v1/chain/revisions?after={from}&limit=4");
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            var revisions = page.GetProperty("revisions").EnumerateArray().ToList();
            paged.AddRange(revisions);
            after = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetInt64();
            Assert.Equal(after is not null, response.Headers.CacheControl!.ToString().Contains("immutable"));
        }
        Assert.Equal(Enumerable.Range(1, 15).Select(i => (long)i), paged.Select(r => r.GetProperty("seq").GetInt64()));
        Assert.Equal(link.GetProperty("hash").GetString(), paged[(int)version - 1].GetProperty("hash").GetString());
        var accepted = paged.Last(r => r.GetProperty("station").GetString() == stations[1]);
        Assert.Equal("operator:operator", accepted.GetProperty("submitter").GetString());
        Assert.StartsWith("the photo shows", accepted.GetProperty("reason").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.GetAsync("/api/v1/chain/revisions?limit=5000")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/chain/export")).StatusCode);
        var export = await ExportAsync(server);
        Assert.Equal(paged.Select(r => r.GetRawText()), export.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var (code, output) = await VerifyAsync(export, "--regions", Regions, "--compare", server.ServerAddress.ToString(),
            "--expect", $"{version}:{link.GetProperty("hash").GetString()}");
        Assert.True(code == 0, output);
        Assert.Contains("revisions checked: 15", output);
        Assert.Contains("all equal", output);
    }

    [Fact]
    public async Task A_revision_altered_in_the_database_is_caught_by_the_verifier_at_start_up_and_on_health()
    {
        string published;
        using (var server = Server())
        {
            await PostNightAsync(server);
            // The head every screen was shown with the totals, and anyone may have kept.
            var committed = (await server.Anonymous().GetFromJsonAsync<JsonElement>("/api/v1/chain")).GetProperty("committed");
            published = $"{committed.GetProperty("seq").GetInt64()}:{committed.GetProperty("hash").GetString()}";
        }
        // Someone with database access adds 50 votes to pair 01 at station 5's form (seq 5).
        Execute("UPDATE revisions SET votes = '154,54', valid = valid + 50, total = total + 50 WHERE seq = 5");

        using (var server = Server())
        {
            var (healthy, description) = await ChainHealthAsync(server);
            Assert.False(healthy);
            Assert.Contains("broken at seq 5", description);
            var (code, output) = await VerifyAsync(await ExportAsync(server));
            Assert.Equal(1, code);
            Assert.Contains("BROKEN at seq 5", output);
        }

        // The careful forger also recomputes every hash from seq 5 on: the chain holds together
        // again, but it no longer ends where the totals were committed, nor passes through the
        // heads published to every screen before.
        RewriteChainFrom(5);
        using (var server = Server())
        {
            var (healthy, description) = await ChainHealthAsync(server);
            Assert.False(healthy);
            Assert.Contains("broken at seq 15", description);
            var export = await ExportAsync(server);
            var (code, output) = await VerifyAsync(export, "--expect", published);
            Assert.Equal(1, code);
            Assert.Contains("chain: every hash follows", output);
            Assert.Contains("PUBLISHED HEAD MISSING: seq 15", output);
        }
    }

    private static string Regions => Path.Combine(LocalCluster.RepoRoot, "data", "pilpres2019", "regions.csv.gz");

    private static async Task<string> ExportAsync(BroadcastFactory server)
    {
        using var op = server.Operator();
        using var response = await op.GetAsync("/api/v1/chain/export");
        response.EnsureSuccessStatusCode();
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType!.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<(bool Healthy, string Description)> ChainHealthAsync(BroadcastFactory server)
    {
        using var response = await server.Anonymous().GetAsync("/health/ready");
        var chain = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("chain");
        return (response.IsSuccessStatusCode && chain.GetProperty("status").GetString() == "Healthy", chain.GetProperty("description").GetString()!);
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>What a forger with the server's code would do: rehash every revision from <paramref name="seq"/> on.</summary>
    private void RewriteChainFrom(long seq)
    {
        using var connection = new SqliteConnection($"Data Source={_database}");
        connection.Open();
        var store = new SqliteStore(_database);
        var revisions = store.ReadRevisionsAsync(seq - 1, long.MaxValue, 1000).Result;
        var previous = store.ReadRevisionsAsync([seq - 1]).Result.Single().Hash!;
        foreach (var revision in revisions)
        {
            previous = RevisionChain.Link(previous, revision);
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE revisions SET hash = $hash WHERE seq = $seq";
            update.Parameters.AddWithValue("$hash", previous);
            update.Parameters.AddWithValue("$seq", revision.Seq);
            update.ExecuteNonQuery();
        }
    }

    private static async Task<(int ExitCode, string Output)> VerifyAsync(string export, params string[] arguments)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, export);
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(LocalCluster.RepoRoot, "scripts", "verify-chain.py"));
            start.ArgumentList.Add(file);
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
            return (process.ExitCode, await stdout + await stderr);
        }
        finally { File.Delete(file); }
    }
}

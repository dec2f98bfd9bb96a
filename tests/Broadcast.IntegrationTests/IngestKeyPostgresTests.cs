using System.Diagnostics;
using System.Net;
using Broadcast.IntegrationTests.Storage;
using Broadcast.IntegrationTests.Support;
using Broadcast.Client;
using Xunit.Abstractions;

namespace Broadcast.IntegrationTests;

/// <summary>
/// Two nodes on one PostgreSQL database and no Redis (so only the poll of the key table's
/// version carries changes): a key made on one works on the other, a signature accepted by
/// one is refused by the other, a key revoked on one is refused by the other within
/// <c>Ingest:KeyRefreshInterval</c>.
/// </summary>
public sealed class IngestKeyPostgresTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3); // the 1 s poll, on a busy 2-core machine
    private string _database = "";
    private BroadcastFactory? _a, _b;

    public async Task InitializeAsync()
    {
        _database = await PostgresTestServer.CreateDatabaseAsync();
        Dictionary<string, string?> Settings() => new()
        {
            ["Storage:Provider"] = "postgres",
            ["Storage:PostgresConnectionString"] = _database,
            ["Ingest:UnauthenticatedRequestsPerSecondPerAddress"] = "1000",
        };
        _a = new BroadcastFactory(Settings());
        _b = new BroadcastFactory(Settings());
        _ = (_a.ServerAddress, _b.ServerAddress);
    }

    public async Task DisposeAsync()
    {
        if (_a is not null) await _a.DisposeAsync();
        if (_b is not null) await _b.DisposeAsync();
        if (_database.Length > 0) await PostgresTestServer.DropDatabaseAsync(_database);
    }

    [Fact]
    public async Task A_key_made_on_one_node_signs_on_the_other_once_per_signature_and_its_revocation_reaches_the_other_by_polling()
    {
        var (a, b) = (_a!, _b!);
        using var op = a.Operator();
        var secret = await op.CreateKeyAsync("two-node-app", requireSignature: true);
        var signer = new IngestRequestSigner("two-node-app", secret);
        var known = await UntilAsync(b, signer, HttpStatusCode.UnprocessableEntity);

        var station = TestStations.Next();
        var body = IngestKeyClients.Json(Forms.Body(station, 70, 30));
        var at = DateTimeOffset.UtcNow;
        HttpRequestMessage Captured()
        {
            var request = IngestKeyClients.JsonPost("/api/v1/forms", body);
            signer.Sign(request, body, at);
            return request;
        }
        using (var first = await a.Anonymous().SendAsync(Captured())) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using (var replayed = await b.Anonymous().SendAsync(Captured())) Assert.Equal("signature-replayed", await replayed.ProblemTypeAsync());
        Assert.Single(await b.Store.ReadStationAsync("ppwp", station));

        await op.RevokeKeyAsync("two-node-app");
        var refusedOnA = await UntilAsync(a, signer, HttpStatusCode.Unauthorized);
        var refusedOnB = await UntilAsync(b, signer, HttpStatusCode.Unauthorized);
        output.WriteLine($"new key usable on the other node after {known.TotalMilliseconds:F0} ms; revoked: refused on the same node after " +
            $"{refusedOnA.TotalMilliseconds:F0} ms, on the other (polling, no Redis) after {refusedOnB.TotalMilliseconds:F0} ms");
        Assert.True(refusedOnA < TimeSpan.FromMilliseconds(500), $"the revoking node itself refused the key after {refusedOnA}");
        Assert.True(refusedOnB < Bound, $"the other node refused the revoked key after {refusedOnB}, over {Bound}");
    }

    /// <summary>
    /// Probes <paramref name="node"/> with a signed empty form (a 422 while the key is accepted, 401
    /// once it is not; nothing is stored either way) until it answers <paramref name="wanted"/>.
    /// </summary>
    internal static async Task<TimeSpan> UntilAsync(BroadcastFactory node, IngestRequestSigner signer, HttpStatusCode wanted) =>
        await KeyProbe.UntilAsync(node.ServerAddress, signer, wanted, TimeSpan.FromSeconds(10));
}

/// <summary>Asks a node whether it takes a key, storing nothing: a signed form that cannot parse.</summary>
public static class KeyProbe
{
    public static async Task<TimeSpan> UntilAsync(Uri node, IngestRequestSigner signer, HttpStatusCode wanted, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        var body = IngestKeyClients.Utf8("{}");
        while (true)
        {
            var request = IngestKeyClients.JsonPost("/api/v1/forms", body);
            signer.Sign(request, body);
            using var response = await client.SendAsync(request);
            // Requests without a valid key are limited per client address (a few a second): while
            // the node does not know the key yet, its 401s soon become 429s, which mean the same.
            var status = response.StatusCode == HttpStatusCode.TooManyRequests ? HttpStatusCode.Unauthorized : response.StatusCode;
            if (status == wanted) return watch.Elapsed;
            Assert.True(status is HttpStatusCode.UnprocessableEntity or HttpStatusCode.Unauthorized,
                $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            if (watch.Elapsed > timeout) Assert.Fail($"{node} still answers {(int)response.StatusCode} after {timeout}, not {(int)wanted}");
            await Task.Delay(10);
        }
    }
}

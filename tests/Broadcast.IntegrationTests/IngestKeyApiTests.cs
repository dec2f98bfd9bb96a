using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Broadcast.IntegrationTests.Support;
using Broadcast.Client;
using Broadcast.Storage;
using Microsoft.Extensions.Logging;

namespace Broadcast.IntegrationTests;

/// <summary>
/// Operators create, scope and revoke ingest keys through the API, without a restart; every
/// change is an operator action with its reason; secrets are shown once and never logged.
/// </summary>
public sealed class IngestKeyApiTests(IngestKeyApiTests.Server fixture) : IClassFixture<IngestKeyApiTests.Server>
{
    /// <summary>A server whose every log line, Debug and up, is kept (to look for secrets in it).</summary>
    public sealed class Server : IDisposable
    {
        public CapturedLogs Logs { get; } = new();

        public BroadcastFactory Factory { get; }

        public Server() => Factory = new BroadcastFactory(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
            ["Ingest:UnauthenticatedRequestsPerSecondPerAddress"] = "1000",
        }, logs: Logs);

        public void Dispose() => Factory.Dispose();
    }

    private BroadcastFactory Factory => fixture.Factory;

    private static readonly Lazy<(string Aceh, string Outside)> Stations = new(() =>
    {
        var election = BroadcastFactory.Election;
        var aceh = election.FindRegion("1")!.Value;
        var taken = new HashSet<string>();
        string Pick(bool inAceh)
        {
            while (true)
            {
                var station = TestStations.Next();
                if (election.IsUnder(election.FindStation(station)!.Value, aceh) == inAceh) return station;
            }
        }
        return (Pick(true), Pick(false));
    });

    [Fact]
    public async Task A_created_key_shows_its_secret_once_works_at_once_and_is_listed_without_secret_or_hash()
    {
        using var op = Factory.Operator();
        using var created = await op.PostAsJsonAsync("/api/v1/operator/keys", new { id = "kab-berau", reason = "counting app of Kab. Berau" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/operator/keys/kab-berau", created.Headers.Location?.OriginalString);
        Assert.True(created.Headers.CacheControl?.NoStore, "an answer with a secret is not cached");
        var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var secret = body.GetProperty("secret").GetString()!;
        Assert.True(secret.Length >= 43, secret);
        Assert.Equal(("kab-berau", "store", "operator", false), (body.GetProperty("key").GetProperty("id").GetString(),
            body.GetProperty("key").GetProperty("source").GetString(), body.GetProperty("key").GetProperty("createdBy").GetString(),
            body.GetProperty("key").GetProperty("requireSignature").GetBoolean()));

        var station = TestStations.Next();
        using var app = IngestKeyClients.Bearer(Factory.ServerAddress, secret);
        await app.PostAsync(Forms.Body(station, 40, 30));
        Assert.Equal("kab-berau", Assert.Single(await Factory.Store.ReadStationAsync("ppwp", station)).Submitter);

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        foreach (var path in new[] { "/api/v1/operator/keys", "/api/v1/operator/keys/kab-berau", "/api/v1/operator/actions" })
        {
            var text = await op.GetStringAsync(path);
            Assert.Contains("kab-berau", text);
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain(hash, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToBase64String(Convert.FromHexString(hash)), text);
        }
    }

    [Fact]
    public async Task A_form_outside_a_keys_scope_is_refused_with_403_naming_the_field_and_nothing_is_stored()
    {
        using var op = Factory.Operator();
        var secret = await op.CreateKeyAsync("aceh-only", contests: ["ppwp"], regions: ["1"]);
        using var app = IngestKeyClients.Bearer(Factory.ServerAddress, secret);
        var (aceh, outside) = Stations.Value;

        using var single = await app.PostAsJsonAsync("/api/v1/forms", Forms.Body(outside, 10, 10));
        using var batch = await app.PostAsJsonAsync("/api/v1/forms:batch", new[] { Forms.Body(aceh, 10, 10), Forms.Body(outside, 10, 10) });

        foreach (var (response, field) in new[] { (single, "station"), (batch, "[1].station") })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("https://broadcast.example/problems/forbidden", problem.GetProperty("type").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
        Assert.Empty(await Factory.Store.ReadStationAsync("ppwp", outside));
        Assert.Empty(await Factory.Store.ReadStationAsync("ppwp", aceh));
    }

    [Fact]
    public async Task Changing_a_keys_scope_and_requiring_signatures_take_effect_at_once()
    {
        using var op = Factory.Operator();
        var secret = await op.CreateKeyAsync("to-widen", regions: ["1"]);
        using var bearer = IngestKeyClients.Bearer(Factory.ServerAddress, secret);
        var outside = TestStations.Next();
        while (BroadcastFactory.Election.IsUnder(BroadcastFactory.Election.FindStation(outside)!.Value, BroadcastFactory.Election.FindRegion("1")!.Value))
            outside = TestStations.Next();
        using (var refused = await bearer.PostAsJsonAsync("/api/v1/forms", Forms.Body(outside, 10, 10)))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using (var widened = await op.PatchAsJsonAsync("/api/v1/operator/keys/to-widen", new { regions = Array.Empty<string>(), reason = "covers the whole country now" }))
            Assert.Equal(HttpStatusCode.OK, widened.StatusCode);
        await bearer.PostAsync(Forms.Body(outside, 10, 10));

        using (var signedOnly = await op.PatchAsJsonAsync("/api/v1/operator/keys/to-widen", new { requireSignature = true, reason = "bearer secrets leak in proxies" }))
        {
            var view = await signedOnly.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(view.GetProperty("requireSignature").GetBoolean());
            Assert.Empty(view.GetProperty("regions").EnumerateArray());
        }
        using (var asBearer = await bearer.PostAsJsonAsync("/api/v1/forms", Forms.Body(outside, 11, 10)))
            Assert.Equal("signature-required", await asBearer.ProblemTypeAsync());
        using var signed = IngestKeyClients.Signed(Factory.ServerAddress, "to-widen", secret);
        Assert.Equal(2, (await signed.PostAsync(Forms.Body(outside, 11, 10))).Revision);

        var actions = await op.GetFromJsonAsync<List<OperatorAction>>("/api/v1/operator/actions?limit=1000");
        var mine = actions!.Where(a => a.Target.StartsWith("to-widen", StringComparison.Ordinal)).ToList();
        Assert.Equal(["ingest-key-create", "ingest-key-change", "ingest-key-change"], mine.Select(a => a.Action));
        Assert.Equal(["test key to-widen", "covers the whole country now", "bearer secrets leak in proxies"], mine.Select(a => a.Reason));
        Assert.Contains("signed only", mine[^1].Target);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_and_its_id_stays_taken()
    {
        using var op = Factory.Operator();
        var secret = await op.CreateKeyAsync("lost-phone");
        using var bearer = IngestKeyClients.Bearer(Factory.ServerAddress, secret);
        using var signed = IngestKeyClients.Signed(Factory.ServerAddress, "lost-phone", secret);
        await bearer.PostAsync(Forms.Body(TestStations.Next(), 10, 10));

        using (var noReason = await op.PostAsJsonAsync("/api/v1/operator/keys/lost-phone/revoke", new { reason = " " }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, noReason.StatusCode);
            Assert.True((await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("reason", out _));
        }
        await op.RevokeKeyAsync("lost-phone", "the phone was stolen at TPS 12");
        var station = TestStations.Next();

        using (var asBearer = await bearer.PostAsJsonAsync("/api/v1/forms", Forms.Body(station, 10, 10)))
            Assert.Equal(HttpStatusCode.Unauthorized, asBearer.StatusCode);
        using (var asSigned = await signed.PostAsJsonAsync("/api/v1/forms", Forms.Body(station, 10, 10)))
            Assert.Equal(HttpStatusCode.Unauthorized, asSigned.StatusCode);
        Assert.Empty(await Factory.Store.ReadStationAsync("ppwp", station));

        using (var again = await op.PostAsJsonAsync("/api/v1/operator/keys/lost-phone/revoke", new { reason = "twice" }))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using (var reuse = await op.PostAsJsonAsync("/api/v1/operator/keys", new { id = "lost-phone", reason = "same name" }))
            Assert.Equal(HttpStatusCode.Conflict, reuse.StatusCode);
        using (var change = await op.PatchAsJsonAsync("/api/v1/operator/keys/lost-phone", new { requireSignature = true, reason = "undo?" }))
            Assert.Equal(HttpStatusCode.Conflict, change.StatusCode);
        var view = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/keys/lost-phone");
        Assert.Equal((true, "operator", "the phone was stolen at TPS 12"), (view.GetProperty("revoked").GetBoolean(),
            view.GetProperty("revokedBy").GetString(), view.GetProperty("revokedReason").GetString()));
        var actions = await op.GetFromJsonAsync<List<OperatorAction>>("/api/v1/operator/actions?limit=1000");
        Assert.Contains(actions!, a => a is { Action: "ingest-key-revoke", Target: "lost-phone", Operator: "operator", Reason: "the phone was stolen at TPS 12" });
    }

    [Fact]
    public async Task Configured_keys_are_listed_read_only()
    {
        using var op = Factory.Operator();
        var keys = await op.GetFromJsonAsync<List<JsonElement>>("/api/v1/operator/keys");
        var env = Assert.Single(keys!, k => k.GetProperty("id").GetString() == "env");
        Assert.Equal(("config", true), (env.GetProperty("source").GetString(), env.GetProperty("readOnly").GetBoolean()));

        using var change = await op.PatchAsJsonAsync("/api/v1/operator/keys/env", new { requireSignature = true, reason = "try" });
        using var revoke = await op.PostAsJsonAsync("/api/v1/operator/keys/env/revoke", new { reason = "try" });
        using var create = await op.PostAsJsonAsync("/api/v1/operator/keys", new { id = "env", reason = "try" });
        Assert.All([change, revoke, create], r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        await Factory.Ingest().PostAsync(Forms.Body(TestStations.Next(), 1, 2));
    }

    [Fact]
    public async Task A_bad_key_request_is_refused_naming_each_field_and_keys_need_an_operator()
    {
        using var op = Factory.Operator();
        using var bad = await op.PostAsJsonAsync("/api/v1/operator/keys", new { id = "has space", contests = new[] { "dpr" }, regions = new[] { "1", "no-such-region" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["contests[0]", "id", "reason", "regions[1]"], errors.EnumerateObject().Select(e => e.Name).Order());

        using var asIngest = await Factory.Ingest().PostAsJsonAsync("/api/v1/operator/keys", new { id = "sneaky", reason = "x" });
        using var anonymous = await Factory.Anonymous().GetAsync("/api/v1/operator/keys");
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (asIngest.StatusCode, anonymous.StatusCode));
        using var unknown = await op.PostAsJsonAsync("/api/v1/operator/keys/nobody/revoke", new { reason = "x" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_keys_secret_and_its_hash_never_appear_in_the_logs()
    {
        using var op = Factory.Operator();
        var secret = await op.CreateKeyAsync("logged-app");
        using (var bearer = IngestKeyClients.Bearer(Factory.ServerAddress, secret)) await bearer.PostAsync(Forms.Body(TestStations.Next(), 5, 5));
        using (var signed = IngestKeyClients.Signed(Factory.ServerAddress, "logged-app", secret)) await signed.PostAsync(Forms.Body(TestStations.Next(), 5, 5));
        using (var wrong = IngestKeyClients.Signed(Factory.ServerAddress, "logged-app", secret + "x"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.PostAsJsonAsync("/api/v1/forms", Forms.Body(TestStations.Next(), 5, 5))).StatusCode);
        await op.RevokeKeyAsync("logged-app");

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        var entries = fixture.Logs.Entries;
        Assert.Contains(entries, e => e.Level == LogLevel.Debug); // the capture sees Debug: a secret logged there would be found
        Assert.Contains(entries, e => e.Message.Contains("Ingest keys in the store", StringComparison.Ordinal));
        foreach (var entry in entries)
        {
            var text = entry.Message + entry.Exception;
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain(hash, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Keys_and_accepted_signatures_outlive_a_restart()
    {
        var path = Path.Combine(Path.GetTempPath(), $"broadcast-restart-{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string?> { ["Storage:SqlitePath"] = path };
        var station = TestStations.Next();
        string secret;
        HttpRequestMessage Captured(IngestRequestSigner signer, byte[] body, DateTimeOffset at)
        {
            var request = IngestKeyClients.JsonPost("/api/v1/forms", body);
            signer.Sign(request, body, at);
            return request;
        }
        var body = IngestKeyClients.Json(Forms.Body(station, 99, 1));
        var signedAt = DateTimeOffset.UtcNow;
        try
        {
            using (var before = new BroadcastFactory(new(settings)))
            {
                secret = await before.Operator().CreateKeyAsync("restart-app", requireSignature: true);
                using var first = await before.Anonymous().SendAsync(Captured(new IngestRequestSigner("restart-app", secret), body, signedAt));
                Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            }
            using var after = new BroadcastFactory(new(settings));
            using var replayed = await after.Anonymous().SendAsync(Captured(new IngestRequestSigner("restart-app", secret), body, signedAt));
            using var signed = IngestKeyClients.Signed(after.ServerAddress, "restart-app", secret);
            var correction = await signed.PostAsync(Forms.Body(station, 98, 2));

            Assert.Equal("signature-replayed", await replayed.ProblemTypeAsync());
            Assert.Equal(2, correction.Revision);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
        }
    }
}

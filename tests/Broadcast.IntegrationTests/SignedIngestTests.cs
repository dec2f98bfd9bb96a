using System.Net;
using System.Net.Http.Json;
using Broadcast.Ingest;
using Broadcast.IntegrationTests.Support;
using Broadcast.Client;
using Broadcast.Storage;

namespace Broadcast.IntegrationTests;

/// <summary>
/// Signed ingest (docs/api.md, "Signed requests") on a real server: signed forms and batches are
/// stored with their key as the submitter; every way a signed request can be wrong is refused
/// with its own problem type and stores nothing; a signature is accepted once.
/// </summary>
public sealed class SignedIngestTests(SignedIngestTests.Server fixture) : IClassFixture<SignedIngestTests.Server>
{
    public const string SigningKeyId = "signing-app";

    /// <summary>A server with a key made through the operator API that must sign.</summary>
    public sealed class Server : IAsyncLifetime
    {
        // Refused requests count per client address; these tests make many on purpose.
        public BroadcastFactory Factory { get; } = new(new Dictionary<string, string?> { ["Ingest:UnauthenticatedRequestsPerSecondPerAddress"] = "1000" });

        public string Secret { get; private set; } = "";

        public async Task InitializeAsync()
        {
            using var op = Factory.Operator();
            Secret = await op.CreateKeyAsync(SigningKeyId, requireSignature: true);
        }

        public Task DisposeAsync()
        {
            Factory.Dispose();
            return Task.CompletedTask;
        }
    }

    private BroadcastFactory Factory => fixture.Factory;
    private IngestRequestSigner Signer => new(SigningKeyId, fixture.Secret);

    [Fact]
    public async Task A_signed_form_is_stored_with_its_key_as_the_submitter()
    {
        var station = TestStations.Next();
        using var client = IngestKeyClients.Signed(Factory.ServerAddress, SigningKeyId, fixture.Secret);

        var receipt = await client.PostAsync(Forms.Body(station, 120, 80), idempotencyKey: "signed-" + station);

        Assert.Equal((1, FormReceipt.Counted), (receipt.Revision, receipt.Status));
        var trail = await Factory.Anonymous().GetFromJsonAsync<StationFormsView>($"/api/v1/stations/{station}/forms/ppwp");
        var revision = Assert.Single(trail!.Revisions);
        Assert.Equal((SigningKeyId, 120), (revision.Submitter, ((System.Text.Json.JsonElement)revision.Votes).GetProperty("01").GetInt32()));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/x-ndjson")]
    public async Task A_signed_batch_is_stored_in_one_request(string contentType)
    {
        var stations = Enumerable.Range(0, 3).Select(_ => TestStations.Next()).ToList();
        var forms = stations.Select((s, i) => IngestKeyClients.Json(Forms.Body(s, 100 + i, 50))).ToList();
        var body = contentType == "application/json"
            ? IngestKeyClients.Utf8("[" + string.Join(",", forms.Select(f => System.Text.Encoding.UTF8.GetString(f))) + "]")
            : IngestKeyClients.Utf8(string.Join("\n", forms.Select(f => System.Text.Encoding.UTF8.GetString(f))) + "\n");
        using var client = IngestKeyClients.Signed(Factory.ServerAddress, SigningKeyId, fixture.Secret);

        using var response = await client.SendAsync(IngestKeyClients.JsonPost("/api/v1/forms:batch", body, "batch-" + stations[0], contentType));

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var receipts = (await response.Content.ReadFromJsonAsync<BatchReceipts>())!.Receipts;
        Assert.Equal(stations, receipts.Select(r => r.Station));
        foreach (var station in stations)
            Assert.Equal(SigningKeyId, Assert.Single(await Factory.Store.ReadStationAsync("ppwp", station)).Submitter);
    }

    [Theory]
    [InlineData("wrong secret", "signature-mismatch")]
    [InlineData("body changed after signing", "signature-mismatch")]
    [InlineData("path changed after signing", "signature-mismatch")]
    [InlineData("idempotency key changed after signing", "signature-mismatch")]
    [InlineData("timestamp changed after signing", "signature-mismatch")]
    [InlineData("stale timestamp", "timestamp-too-old")]
    [InlineData("future timestamp", "timestamp-too-new")]
    [InlineData("key that must sign used as a bearer", "signature-required")]
    [InlineData("signature not hex", "malformed-signature")]
    [InlineData("unknown key id", "unauthorized")]
    public async Task A_wrong_signed_request_is_refused_with_its_problem_type_and_nothing_is_stored(string what, string problemType)
    {
        var station = TestStations.Next();
        var body = IngestKeyClients.Json(Forms.Body(station, 90, 60));
        var request = IngestKeyClients.JsonPost("/api/v1/forms", body, "k-" + station);
        var now = DateTimeOffset.UtcNow;
        switch (what)
        {
            case "wrong secret": new IngestRequestSigner(SigningKeyId, "not-the-secret").Sign(request, body); break;
            case "body changed after signing":
                Signer.Sign(request, body);
                request.Content = new ByteArrayContent(IngestKeyClients.Json(Forms.Body(station, 60, 90)))
                { Headers = { ContentType = new("application/json") } };
                break;
            case "path changed after signing":
                Signer.Sign(request, body);
                request.RequestUri = new Uri("/api/v1/forms:batch", UriKind.Relative);
                request.Content = new ByteArrayContent(IngestKeyClients.Utf8($"[{System.Text.Encoding.UTF8.GetString(body)}]"))
                { Headers = { ContentType = new("application/json") } };
                break;
            case "idempotency key changed after signing":
                Signer.Sign(request, body);
                request.Headers.Remove("Idempotency-Key");
                request.Headers.Add("Idempotency-Key", "other-" + station);
                break;
            case "timestamp changed after signing":
                Signer.Sign(request, body, now.AddSeconds(-30));
                request.Headers.Remove(IngestSignature.TimestampHeader);
                request.Headers.Add(IngestSignature.TimestampHeader, now.ToUnixTimeSeconds().ToString());
                break;
            case "stale timestamp": Signer.Sign(request, body, now.AddMinutes(-6)); break;
            case "future timestamp": Signer.Sign(request, body, now.AddMinutes(6)); break;
            case "key that must sign used as a bearer": request.Headers.Authorization = new("Bearer", fixture.Secret); break;
            case "signature not hex":
                Signer.Sign(request, body);
                request.Headers.Remove(IngestSignature.SignatureHeader);
                request.Headers.Add(IngestSignature.SignatureHeader, new string('z', 64));
                break;
            case "unknown key id": new IngestRequestSigner("no-such-key", fixture.Secret).Sign(request, body); break;
        }
        var lastSeq = await Factory.Store.ReadLastSeqAsync();

        using var response = await Factory.Anonymous().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(problemType, await response.ProblemTypeAsync());
        Assert.Empty(await Factory.Store.ReadStationAsync("ppwp", station));
        Assert.Equal(lastSeq, await Factory.Store.ReadLastSeqAsync());
    }

    [Fact]
    public async Task A_replayed_signed_form_is_refused_and_cannot_undo_a_correction()
    {
        var station = TestStations.Next();
        var original = IngestKeyClients.Json(Forms.Body(station, 150, 50));
        var captured = IngestKeyClients.JsonPost("/api/v1/forms", original);
        Signer.Sign(captured, original);
        var headers = captured.Headers.Select(h => (h.Key, Value: string.Join(", ", h.Value))).ToList();
        using var anonymous = Factory.Anonymous();

        using (var first = await anonymous.SendAsync(captured)) Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using (var signed = IngestKeyClients.Signed(Factory.ServerAddress, SigningKeyId, fixture.Secret))
            Assert.Equal(2, (await signed.PostAsync(Forms.Body(station, 50, 150))).Revision);

        // The same bytes and headers again, as an attacker who captured the first request would send them.
        var replay = IngestKeyClients.JsonPost("/api/v1/forms", original);
        foreach (var (name, value) in headers) replay.Headers.Add(name, value);
        using var replayed = await anonymous.SendAsync(replay);

        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal("signature-replayed", await replayed.ProblemTypeAsync());
        var trail = await Factory.Store.ReadStationAsync("ppwp", station);
        Assert.Equal([1, 2], trail.Select(r => r.Revision));
        Assert.Equal([50, 150], trail[^1].Numbers.Votes);
    }

    [Fact]
    public async Task A_retry_signed_again_gets_the_first_receipt_even_within_the_same_second()
    {
        var station = TestStations.Next();
        using var client = IngestKeyClients.Signed(Factory.ServerAddress, SigningKeyId, fixture.Secret);

        // Sent back to back: the second is usually signed in the same second, so the server first
        // refuses it as a replay and the signing handler signs it again a second later.
        var first = await client.PostAsync(Forms.Body(station, 80, 70), idempotencyKey: "retry-" + station);
        var retried = await client.PostAsync(Forms.Body(station, 80, 70), idempotencyKey: "retry-" + station);

        Assert.Equal((first.Revision, first.Seq, first.Status), (retried.Revision, retried.Seq, retried.Status));
        Assert.Single(await Factory.Store.ReadStationAsync("ppwp", station));
    }

    [Fact]
    public async Task A_key_that_allows_bearers_may_also_sign()
    {
        var station = TestStations.Next();
        using var signed = IngestKeyClients.Signed(Factory.ServerAddress, IngestKeys.EnvironmentKeyId, BroadcastFactory.IngestSecret);
        using var bearer = Factory.Ingest();

        var bySignature = await signed.PostAsync(Forms.Body(station, 10, 20));
        var byBearer = await bearer.PostAsync(Forms.Body(station, 20, 10));

        Assert.Equal((1, 2), (bySignature.Revision, byBearer.Revision));
        Assert.All(await Factory.Store.ReadStationAsync("ppwp", station), r => Assert.Equal(IngestKeys.EnvironmentKeyId, r.Submitter));
    }
}

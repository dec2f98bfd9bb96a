using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Broadcast.IntegrationTests.Support;

namespace Broadcast.IntegrationTests;

/// <summary>Every class of bad input in failure-modes.md: a clear 4xx naming the field, nothing stored, totals unchanged.</summary>
public sealed class BadInputTests(BadInputTests.Server fixture) : IClassFixture<BadInputTests.Server>
{
    public const string ScopedSecret = "aceh-only-secret";

    /// <summary>A server with one extra key that may only post for ACEH (region 1).</summary>
    public sealed class Server : IDisposable
    {
        public BroadcastFactory Factory { get; } = new(new Dictionary<string, string?>
        {
            ["Ingest:Keys:0:Id"] = "aceh-app",
            ["Ingest:Keys:0:SecretSha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ScopedSecret))),
            ["Ingest:Keys:0:Regions:0"] = "1",
        });

        public void Dispose() => Factory.Dispose();
    }

    private static readonly string Station = TestStations.Next();

    public static TheoryData<string, string, string> BadForms => new()
    {
        { "unknown station", """{"station":"99999999.1","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3}""", "station" },
        { "unknown contest", $$"""{"station":"{{Station}}","contest":"dpr","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3}""", "contest" },
        { "unknown choice", $$"""{"station":"{{Station}}","contest":"ppwp","votes":{"01":1,"02":2,"03":0},"valid":3,"invalid":0,"total":3}""", "votes.03" },
        { "missing choice", $$"""{"station":"{{Station}}","contest":"ppwp","votes":{"01":3},"valid":3,"invalid":0,"total":3}""", "votes.02" },
        { "negative count", $$"""{"station":"{{Station}}","contest":"ppwp","votes":{"01":-1,"02":4},"valid":3,"invalid":0,"total":3}""", "votes.01" },
        { "fractional count", $$"""{"station":"{{Station}}","contest":"ppwp","votes":{"01":1.5,"02":1.5},"valid":3,"invalid":0,"total":3}""", "votes.02" },
        { "huge count", $$"""{"station":"{{Station}}","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":99999999999}""", "total" },
        { "non-numeric count", $$"""{"station":"{{Station}}","contest":"ppwp","votes":{"01":"1","02":2},"valid":3,"invalid":0,"total":3}""", "votes.01" },
        { "missing field", $$"""{"station":"{{Station}}","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"total":3}""", "invalid" },
        { "unknown field", $$"""{"station":"{{Station}}","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3,"verified":true}""", "verified" },
        { "malformed JSON", $$"""{"station":"{{Station}}","contest":"ppwp","votes":{"01":1,"02":2""", "body" },
        { "not an object", "[1,2,3]", "body" },
        { "non-canonical station id", $$"""{"station":"{{Station.Replace(".", ".0")}}","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3}""", "station" },
    };

    [Theory]
    [MemberData(nameof(BadForms))]
    public async Task BadFormIsRejectedNamingTheFieldAndNothingIsStored(string why, string body, string field)
    {
        var server = fixture.Factory;
        var before = await server.SettledResultsAsync();
        var lastSeq = await server.Store.ReadLastSeqAsync();

        var response = await server.Ingest().PostAsync("/api/v1/forms", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, why);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{why}: {problem}");
        Assert.Equal(lastSeq, await server.Store.ReadLastSeqAsync());
        Assert.Equivalent(before, await server.SettledResultsAsync());
    }

    [Fact]
    public async Task OversizedBodyIsRefusedWith413()
    {
        var body = new string(' ', 64 * 1024) + "{}";
        var response = await fixture.Factory.Ingest().PostAsync("/api/v1/forms", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task KeyScopedToAProvinceCannotPostForAnotherOne()
    {
        var server = fixture.Factory;
        var client = server.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", ScopedSecret);
        var election = BroadcastFactory.Election;
        var aceh = election.FindRegion("1")!.Value;
        var inAceh = Enumerable.Range(0, election.Stations.Count).First(s => election.IsUnder(s, aceh) && election.Stations.RegisteredVoters[s] > 100);
        var outside = election.StationId(Enumerable.Range(0, election.Stations.Count)
            .First(s => !election.IsUnder(s, aceh) && election.Stations.RegisteredVoters[s] > 100));

        var allowed = await client.PostAsJsonAsync("/api/v1/forms", Forms.Body(election.StationId(inAceh), 10, 10));
        var refused = await client.PostAsJsonAsync("/api/v1/forms", Forms.Body(outside, 10, 10));

        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Empty(await server.Store.ReadStationAsync("ppwp", outside));
    }
}

public sealed class IngestRateLimitTests : IDisposable
{
    private readonly BroadcastFactory _server = new(new Dictionary<string, string?> { ["Ingest:RequestsPerSecondPerKey"] = "2" });

    [Fact]
    public async Task AKeyOverItsRateGets429WithRetryAfterAndNothingStored()
    {
        var client = _server.Ingest();
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
            responses.Add(await client.PostAsJsonAsync("/api/v1/forms", Forms.Body(TestStations.Next(), 10, 10 + i)));

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter?.Delta));
        Assert.Equal(responses.Count(r => r.StatusCode == HttpStatusCode.Accepted), (int)await _server.Store.ReadLastSeqAsync());
    }

    public void Dispose() => _server.Dispose();
}

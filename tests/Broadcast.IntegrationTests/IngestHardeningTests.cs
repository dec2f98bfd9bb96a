using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Broadcast.IntegrationTests.Support;
using Broadcast.Storage;
using Xunit.Abstractions;

namespace Broadcast.IntegrationTests;

/// <summary>
/// What an adversarial pass on election night found at the ingest API (issue 9): a rate limit
/// dodged by respelling the header, 500s on invalid Unicode, answers larger than the request,
/// <c>-0</c> and undeclared bodies accepted, an empty audit trail for a non-canonical id.
/// </summary>
public sealed class IngestHardeningTests(BroadcastFactory server, ITestOutputHelper output) : IClassFixture<BroadcastFactory>
{
    private BroadcastFactory ServerFactory => server;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Valid(string station, string votes = """{"01":1,"02":2}""") =>
        $$"""{"station":"{{station}}","contest":"ppwp","votes":{{votes}},"valid":3,"invalid":0,"total":3}""";

    public static TheoryData<string, byte[], string> InvalidUnicode => new()
    {
        { "lone surrogate in a value", Encoding.UTF8.GetBytes("""{"station":"\ud800","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3}"""), "station" },
        { "lone surrogate in a property name", Encoding.UTF8.GetBytes("""{"station":"4.1","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3,"\udc00x":1}"""), "\\udc00x" },
        { "lone surrogate in a choice", Encoding.UTF8.GetBytes("""{"station":"4.1","contest":"ppwp","votes":{"01":1,"\ud800":2},"valid":3,"invalid":0,"total":3}"""), "votes.\\ud800" },
        { "invalid UTF-8 in a value", [.. "{\"station\":\"4."u8, 0xC3, 0x28, .. "\",\"contest\":\"ppwp\",\"votes\":{\"01\":1,\"02\":2},\"valid\":3,\"invalid\":0,\"total\":3}"u8], "station" },
    };

    [Theory]
    [MemberData(nameof(InvalidUnicode))]
    public async Task InvalidUnicodeIsA422NamingTheField(string why, byte[] body, string field)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await ServerFactory.Ingest().PostAsync("/api/v1/forms", content);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{why}: {(int)response.StatusCode} {problem}");
        Assert.True(problem.GetProperty("errors").EnumerateObject().Any(e => e.Name.Contains(field, StringComparison.Ordinal)),
            $"{why}: {problem}");
    }

    [Fact]
    public async Task APathologicalBatchGetsAnAnswerMuchSmallerThanItself()
    {
        // One form whose votes repeat the same key ~600,000 times: 4 MB of mistakes.
        var body = new StringBuilder("""[{"station":"4.1","contest":"ppwp","votes":{"01":1""", 4 * 1024 * 1024);
        while (body.Length < 4 * 1024 * 1024 - 64) body.Append(""","01":1""");
        body.Append("""},"valid":3,"invalid":0,"total":3}]""");
        var watch = Stopwatch.StartNew();
        using var response = await ServerFactory.Ingest().PostAsync("/api/v1/forms:batch", Json(body.ToString()));
        var answer = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{body.Length:N0}-byte batch of duplicate keys: {(int)response.StatusCode}, {answer.Length:N0}-byte answer in {watch.ElapsedMilliseconds} ms");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True(answer.Length < 16 * 1024, $"answer of {answer.Length} bytes");
        var problem = JsonDocument.Parse(answer).RootElement;
        Assert.True(problem.GetProperty("omittedErrors").GetInt32() > 0);
    }

    [Fact]
    public async Task AHugePropertyNameIsNotEchoedBackWhole()
    {
        var name = new string('x', 1024 * 1024);
        using var response = await ServerFactory.Ingest().PostAsync("/api/v1/forms:batch",
            Json($$"""[{"station":"4.1","contest":"ppwp","votes":{"01":1,"02":2},"valid":3,"invalid":0,"total":3,"{{name}}":1}]"""));
        var answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True(answer.Length < 2048, $"answer of {answer.Length} bytes");
        Assert.Contains("[0].xxxx", answer);
    }

    [Fact]
    public async Task NegativeZeroIsRefusedLikeOtherMistypedCounts()
    {
        using var response = await ServerFactory.Ingest().PostAsync("/api/v1/forms", Json(Valid(TestStations.Next(), """{"01":-0,"02":3}""")));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty("votes.01", out _), problem.ToString());
    }

    [Theory]
    [InlineData("text/plain", false)]
    [InlineData(null, false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("application/x-ndjson", false)]
    [InlineData("text/plain", true)]
    [InlineData(null, true)]
    public async Task ABodyNotDeclaredAsJsonIs415AndStoresNothing(string? contentType, bool batch)
    {
        var station = TestStations.Next();
        var content = new StringContent(batch ? $"[{Valid(station)}]" : Valid(station));
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        using var response = await ServerFactory.Ingest().PostAsync(batch ? "/api/v1/forms:batch" : "/api/v1/forms", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await ServerFactory.Store.ReadStationAsync("ppwp", station));
    }

    [Fact]
    public async Task AnOverseasFormOverItsKindsBoundIsQuarantinedAsR4AndAddsNothing()
    {
        // The adversarial pass's form: an overseas polling station with 100,000 votes for one pair.
        const string station = "-990124.24";
        var before = await ServerFactory.SettledResultsAsync();

        var receipt = await ServerFactory.Ingest().PostAsync(Forms.Body(station, 100_000, 0));
        var after = await ServerFactory.SettledResultsAsync();

        Assert.Equal(FormReceipt.Quarantined, receipt.Status);
        Assert.Equal(["R4"], receipt.Problems);
        Assert.Equal(before.Votes, after.Votes);
        Assert.Equal(before.Stations.Quarantined + 1, after.Stations.Quarantined);
    }

    [Fact]
    public async Task TheAuditTrailOfANonCanonicalIdIsTheCanonicalStations()
    {
        var station = TestStations.Next(); // "<village>.<n>"
        await ServerFactory.Ingest().PostAsync(JsonSerializer.Deserialize<JsonElement>(Valid(station)));
        var padded = station.Replace(".", ".00");

        var trail = await ServerFactory.Anonymous().GetFromJsonAsync<JsonElement>($"/api/v1/stations/{padded}/forms/ppwp");

        Assert.Equal(station, trail.GetProperty("station").GetString());
        Assert.Equal(1, trail.GetProperty("revisions").GetArrayLength());
    }
}

/// <summary>The per-key rate limit and the limit on failed authentications, on a server with low limits.</summary>
public sealed class RateLimitEvasionTests(RateLimitEvasionTests.Server fixture, ITestOutputHelper output)
    : IClassFixture<RateLimitEvasionTests.Server>
{
    /// <summary>A server with a low per-key limit, so the tests can reach it quickly.</summary>
    public sealed class Server : IDisposable
    {
        public const int PerSecond = 5;

        public BroadcastFactory Factory { get; } = new(new Dictionary<string, string?>
        {
            ["Ingest:RequestsPerSecondPerKey"] = PerSecond.ToString(),
            ["Ingest:UnauthenticatedRequestsPerSecondPerAddress"] = PerSecond.ToString(),
        });

        public void Dispose() => Factory.Dispose();
    }

    private BroadcastFactory ServerFactory => fixture.Factory;

    /// <summary>Sends <paramref name="count"/> requests back to back; the number answered 429.</summary>
    private async Task<int> CountTooManyAsync(int count, Func<int, string> authorization)
    {
        using var client = ServerFactory.Anonymous();
        var limited = 0;
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/forms") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Authorization", authorization(i));
            using var response = await client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited++;
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.True(response.Headers.RetryAfter is not null);
            }
        }
        return limited;
    }

    [Fact]
    public async Task TheRateLimitCountsOneKeyHoweverItsHeaderIsSpelled()
    {
        string[] spellings = ["Bearer {0}", "bearer {0}", "BEARER {0}", "Bearer  {0}", "Bearer {0} ", "bEaReR \t{0}"];
        var watch = Stopwatch.StartNew();
        var limited = await CountTooManyAsync(60,
            i => string.Format(spellings[i % spellings.Length], BroadcastFactory.IngestSecret));
        output.WriteLine($"60 requests rotating {spellings.Length} spellings in {watch.ElapsedMilliseconds} ms: {limited} answered 429");
        // 5/s with bursts of 10: however fast this machine is, most of 60 requests are over the limit.
        Assert.True(limited >= 30, $"only {limited} of 60 were limited");
    }

    [Fact]
    public async Task FailedAuthenticationsAreLimitedPerClientAddress()
    {
        var limited = await CountTooManyAsync(60, i => $"Bearer wrong-secret-{i}");
        output.WriteLine($"60 requests with 60 different wrong secrets: {limited} answered 429, the rest 401");
        Assert.True(limited >= 30, $"only {limited} of 60 were limited");
    }
}

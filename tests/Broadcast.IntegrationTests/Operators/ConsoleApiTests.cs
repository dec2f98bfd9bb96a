using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Broadcast.IntegrationTests.Support;

namespace Broadcast.IntegrationTests.Operators;

/// <summary>What the operator console reads: the review queue and the live panel.</summary>
public sealed class ConsoleApiTests : IClassFixture<BroadcastFactory>
{
    private readonly BroadcastFactory _server;

    public ConsoleApiTests(BroadcastFactory server) => _server = server;

    [Fact]
    public async Task The_review_queue_lists_held_stations_with_rules_in_words_and_the_counted_revision_beside_them()
    {
        using var ingest = _server.Ingest();
        using var op = _server.Operator();
        var (fresh, corrected) = (TestStations.Next(), TestStations.Next());
        await ingest.PostAsync(Forms.Body(corrected, 100, 50, invalid: 2));
        // 1,000 ballots at one station: more than its registered voters allow (R3); the sum is wrong too (R1).
        var held = await ingest.PostAsync(Forms.Body(corrected, 900, 50, invalid: 50, valid: 960));
        var heldFresh = await ingest.PostAsync(Forms.Body(fresh, 600, 400, invalid: 0));
        Assert.Equal(["quarantined", "quarantined"], new[] { held.Status, heldFresh.Status });
        await _server.SettledResultsAsync();

        var queue = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/queue?contest=ppwp&limit=100");
        var items = queue.GetProperty("items").EnumerateArray().ToList();
        var item = items.Single(i => i.GetProperty("station").GetString() == corrected);
        Assert.Equal(held.Revision, item.GetProperty("held").GetProperty("revision").GetInt32());
        Assert.Equal(1, item.GetProperty("counted").GetProperty("revision").GetInt32());
        var rules = item.GetProperty("rules").EnumerateArray().ToDictionary(r => r.GetProperty("code").GetString()!, r => r.GetProperty("text").GetString()!);
        Assert.Contains("registered voters", rules["R3"]);
        Assert.Contains("do not add up", rules["R1"]);
        Assert.NotEmpty(item.GetProperty("regions").EnumerateArray());
        var other = items.Single(i => i.GetProperty("station").GetString() == fresh);
        Assert.Equal(JsonValueKind.Null, other.GetProperty("counted").ValueKind);
        var total = queue.GetProperty("total").GetInt32();

        var reject = await op.PostAsJsonAsync($"/api/v1/stations/{corrected}/forms/ppwp/{held.Revision}/reject", new { reason = "1,000 ballots at a station of 280 voters" });
        Assert.Equal(HttpStatusCode.Accepted, reject.StatusCode);
        await _server.SettledResultsAsync();
        var after = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/queue?contest=ppwp&limit=100");
        Assert.Equal(total - 1, after.GetProperty("total").GetInt32());
        Assert.DoesNotContain(after.GetProperty("items").EnumerateArray(), i => i.GetProperty("station").GetString() == corrected);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _server.Anonymous().GetAsync("/api/v1/operator/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.GetAsync("/api/v1/operator/queue?contest=nope")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await op.GetAsync("/api/v1/operator/queue?limit=0")).StatusCode);
    }

    [Fact]
    public async Task The_live_panel_shows_forms_per_second_viewers_and_the_form_to_screen_lag()
    {
        await using var first = _server.Hub(Protocols.MessagePack);
        await using var second = _server.Hub(Protocols.Json);
        await first.StartAsync();
        await second.StartAsync();
        using var ingest = _server.Ingest();
        using var op = _server.Operator();
        var before = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/status");
        for (var i = 0; i < 20; i++)
        {
            await ingest.PostAsync(Forms.Body(TestStations.Next(), 100, 50));
            await Task.Delay(100);
        }
        await _server.SettledResultsAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the panel samples every second

        var status = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/status");
        Assert.True(status.GetProperty("formsPerSecond").GetDouble() > 0, status.GetRawText());
        Assert.True(status.GetProperty("lastSeq").GetInt64() >= before.GetProperty("lastSeq").GetInt64() + 20);
        Assert.Equal(status.GetProperty("lastSeq").GetInt64(), status.GetProperty("checkpoint").GetInt64());
        Assert.Equal(0, status.GetProperty("aggregationLag").GetInt64());
        var node = Assert.Single(status.GetProperty("nodes").EnumerateArray());
        Assert.True(node.GetProperty("viewers").GetInt32() >= 2);
        var lag = status.GetProperty("formToScreen");
        Assert.True(lag.GetProperty("runs").GetInt32() >= 1);
        Assert.InRange(lag.GetProperty("max").GetDouble(), 0, 30);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("chain").GetProperty("firstBreak").ValueKind);
    }

    [Fact]
    public async Task The_console_learns_whose_credential_is_signed_in_and_a_wrong_secret_is_refused()
    {
        using var op = _server.Operator();
        var me = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/me");
        Assert.Equal("operator", me.GetProperty("id").GetString());

        using var wrong = _server.Anonymous();
        wrong.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-secret");
        var refused = await wrong.GetAsync("/api/v1/operator/me");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("not-the-secret", await refused.Content.ReadAsStringAsync());
    }
}

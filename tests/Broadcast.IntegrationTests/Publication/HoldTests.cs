using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Broadcast.Client;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR.Client;

namespace Broadcast.IntegrationTests.Publication;

/// <summary>
/// A publication hold (the freeze a TV desk asks for before going on air): while a contest is
/// held in a region, every viewer of every group under it keeps the numbers of the hold's moment
/// and is told so, whatever is counted meanwhile; at the release each catches up with what moved.
/// </summary>
public sealed class HoldTests : IClassFixture<BroadcastFactory>
{
    private readonly BroadcastFactory _server;

    public HoldTests(BroadcastFactory server) => _server = server;

    /// <summary>A raw viewer that records every frame and hold notice it is pushed.</summary>
    private sealed class Watcher : IAsyncDisposable
    {
        public HubConnection Hub { get; }
        public ConcurrentQueue<long> Frames { get; } = new();
        public ConcurrentQueue<HeldNotice> Notices { get; } = new();

        public Watcher(BroadcastFactory server)
        {
            Hub = server.Hub(Protocols.MessagePack);
            Hub.On<Delta>("Delta", d => Frames.Enqueue(d.Version));
            Hub.On<HeldNotice>("Held", n => Notices.Enqueue(n));
        }

        public ValueTask DisposeAsync() => Hub.DisposeAsync();
    }

    [Fact]
    public async Task A_held_contest_keeps_every_viewer_at_the_holds_moment_until_the_release()
    {
        using var ingest = _server.Ingest();
        using var op = _server.Operator();
        using var anonymous = _server.Anonymous();
        await ingest.PostAsync(Forms.Body(TestStations.Next(), 100, 50));
        var atHold = await _server.SettledResultsAsync();

        await using var before = new Watcher(_server);
        await before.Hub.StartAsync();
        await before.Hub.InvokeAsync<ResultsSnapshot>("SubscribeWith", "ppwp", "0", new SubscribeOptions(SubscribeOptions.Full));
        await using var client = new BroadcastClient(_server.ServerAddress);
        await using var feed = await client.SubscribeAsync("ppwp", "0");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await op.PostAsJsonAsync("/api/v1/operator/holds", new { contest = "ppwp", region = "0" })).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await op.PostAsJsonAsync("/api/v1/operator/holds", new { contest = "dpr", region = "0", reason = "x" })).StatusCode);
        var taken = await op.PostAsJsonAsync("/api/v1/operator/holds", new { contest = "ppwp", region = "0", reason = "on air at 19:00 with the 18:00 figures" });
        Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await op.PostAsJsonAsync("/api/v1/operator/holds", new { contest = "ppwp", region = "0", reason = "again" })).StatusCode);
        await Eventually(() => before.Notices.Any(n => n.Held));
        // The .NET client marks its feed held (the Held push), its numbers untouched.
        await feed.WaitForAsync(r => r.Held is not null);
        Assert.Equal(before.Notices.First(n => n.Held).Seq, feed.Held!.Seq);
        Assert.Equal(atHold.Valid, feed.Current.Valid);

        // Counting goes on; nobody sees it.
        var station = TestStations.Next();
        await ingest.PostAsync(Forms.Body(station, 70, 30));
        var live = await _server.Store.ReadLastSeqAsync();
        using (var operatorView = _server.Operator())
            (await operatorView.PostAsync("/api/v1/operator/aggregate", null)).EnsureSuccessStatusCode();
        await Task.Delay(500);
        Assert.Empty(before.Frames);
        Assert.Equal(atHold.Valid, feed.Current.Valid);

        var held = await anonymous.GetFromJsonAsync<ResultsSnapshot>("/api/v1/results/ppwp/0");
        Assert.Equal((atHold.Valid, atHold.Stations.Reported), (held!.Valid, held.Stations.Reported));
        Assert.NotNull(held.Held);
        Assert.EndsWith("-held", held.Epoch);
        var province = held.Children.First(c => c.Stations.Reported > 0).Id;
        var heldProvince = await anonymous.GetFromJsonAsync<ResultsSnapshot>($"/api/v1/results/ppwp/{province}");
        Assert.NotNull(heldProvince!.Held);
        var graphics = await anonymous.GetFromJsonAsync<JsonElement>("/api/v1/graphics/ppwp/0");
        Assert.Equal(atHold.Valid, graphics.GetProperty("valid").GetInt64());

        // A screen that connects during the hold is shown the held numbers too.
        await using var during = new BroadcastClient(_server.ServerAddress);
        await using var duringFeed = await during.SubscribeAsync("ppwp", "0");
        Assert.Equal(atHold.Valid, duringFeed.Current.Valid);
        Assert.NotNull(duringFeed.Held); // from the held snapshot itself

        var release = await op.PostAsJsonAsync("/api/v1/operator/holds/release", new { contest = "ppwp", region = "0", reason = "off air" });
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await op.PostAsJsonAsync("/api/v1/operator/holds/release", new { contest = "ppwp", region = "0", reason = "twice" })).StatusCode);
        var settled = await _server.SettledResultsAsync();
        Assert.Null(settled.Held);
        Assert.Equal(atHold.Valid + 100, settled.Valid);
        await Eventually(() => before.Notices.Any(n => !n.Held) && before.Frames.Count > 0);
        await feed.WaitForAsync(r => r.Valid == settled.Valid && r.Held is null);
        Assert.Null(feed.Held);
        await duringFeed.WaitForAsync(r => r.Valid == settled.Valid && r.Held is null);
        Assert.True(live > atHold.Version);

        var actions = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/actions");
        Assert.Contains(actions.EnumerateArray(), a => a.GetProperty("action").GetString() == "hold" && a.GetProperty("reason").GetString()!.StartsWith("on air"));
        Assert.Contains(actions.EnumerateArray(), a => a.GetProperty("action").GetString() == "release");
    }

    [Fact]
    public async Task A_hold_on_a_province_leaves_the_rest_of_the_country_live()
    {
        using var ingest = _server.Ingest();
        using var op = _server.Operator();
        var national = await _server.SettledResultsAsync();
        var (held, other) = (national.Children[0].Id, national.Children[1].Id);
        var inHeld = BroadcastFactory.Election.StationId(Enumerable.Range(0, BroadcastFactory.Election.Stations.Count)
            .First(s => BroadcastFactory.Election.IsUnder(s, BroadcastFactory.Election.FindRegion(held)!.Value)));
        (await op.PostAsJsonAsync("/api/v1/operator/holds", new { contest = "ppwp", region = held, reason = "recount ordered" })).EnsureSuccessStatusCode();
        try
        {
            var heldBefore = await _server.Anonymous().ResultsAsync(held);
            await ingest.PostAsync(Forms.Body(inHeld, 40, 60));
            var after = await _server.SettledResultsAsync();
            Assert.Null(after.Held);
            Assert.Equal(national.Valid + 100, after.Valid); // the country moves on
            var heldAfter = await _server.Anonymous().ResultsAsync(held);
            Assert.Equal(heldBefore.Valid, heldAfter.Valid); // the province does not
            Assert.NotNull(heldAfter.Held);
            Assert.Null((await _server.Anonymous().ResultsAsync(other)).Held);
            var holds = await op.GetFromJsonAsync<JsonElement>("/api/v1/operator/holds");
            Assert.Contains(holds.EnumerateArray(), h => h.GetProperty("region").GetString() == held);
        }
        finally
        {
            (await op.PostAsJsonAsync("/api/v1/operator/holds/release", new { contest = "ppwp", region = held, reason = "recount done" })).EnsureSuccessStatusCode();
        }
        var released = await _server.Anonymous().ResultsAsync(held);
        Assert.Null(released.Held);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition did not hold within 10 s");
            await Task.Delay(50);
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using Broadcast.Aggregation;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Broadcast.IntegrationTests;

public sealed class PushTests(BroadcastFactory server) : IClassFixture<BroadcastFactory>
{
    public static TheoryData<string> BothProtocols => [Protocols.Json, Protocols.MessagePack];

    [Theory]
    [MemberData(nameof(BothProtocols))]
    public async Task SubscribeGivesTheSnapshotThenDeltasArriveWithConsecutiveVersions(string protocol)
    {
        await using var viewer = await Viewer.ConnectAsync(server, protocol);
        var ingest = server.Ingest();
        var start = viewer.Version;

        List<long> seqs = [];
        for (var i = 0; i < 3; i++)
        {
            var receipt = await ingest.PostAsync(Forms.Body(TestStations.Next(), 40 + i, 30));
            seqs.Add(receipt.Seq);
            await viewer.WaitForVersionAsync(receipt.Seq);
        }

        var deltas = viewer.Received.Where(d => d.Version > start).ToList();
        Assert.Equal(3, deltas.Count);
        Assert.Equal(start, deltas[0].PrevVersion);
        for (var i = 1; i < deltas.Count; i++) Assert.Equal(deltas[i - 1].Version, deltas[i].PrevVersion);
        Assert.Equal(seqs, deltas.Select(d => d.Version));
        Assert.All(deltas, d => Assert.NotEmpty(d.Children)); // the province that changed
        await AssertSameAsReadApi(viewer, "0");
    }

    [Theory]
    [MemberData(nameof(BothProtocols))]
    public async Task ClientThatMissedDeltasResumesToTheSameStateAsAFreshSnapshot(string protocol)
    {
        await using var connection = server.Hub(protocol);
        await connection.StartAsync();
        var snapshot = await connection.InvokeAsync<ResultsSnapshot>("Subscribe", "ppwp", "0");
        await connection.InvokeAsync("Unsubscribe", "ppwp", "0"); // from here on it misses every delta
        await using var watcher = await Viewer.ConnectAsync(server, protocol);
        var ingest = server.Ingest();
        long last = 0;
        for (var i = 0; i < 3; i++)
        {
            last = (await ingest.PostAsync(Forms.Body(TestStations.Next(), 10, 20 + i))).Seq;
            await watcher.WaitForVersionAsync(last);
        }

        var resumed = await connection.InvokeAsync<ResumeResult>("Resume", "ppwp", "0", snapshot.Version);
        var fresh = await connection.InvokeAsync<ResultsSnapshot>("Subscribe", "ppwp", "0");

        Assert.Null(resumed.Snapshot);
        Assert.Equal(snapshot.Version, resumed.Deltas[0].PrevVersion);
        var votes = resumed.Deltas[^1].Votes;
        var children = snapshot.Children.ToDictionary(c => c.Id);
        foreach (var delta in resumed.Deltas) foreach (var child in delta.Children) children[child.Id] = child;
        Assert.Equal(fresh.Version, resumed.Deltas[^1].Version);
        Assert.Equal(fresh.Votes, votes);
        Assert.Equivalent(fresh.Children.ToDictionary(c => c.Id), children);

        // A version the history never saw is answered by a snapshot; the current one by nothing.
        var unknown = await connection.InvokeAsync<ResumeResult>("Resume", "ppwp", "0", -5L);
        var current = await connection.InvokeAsync<ResumeResult>("Resume", "ppwp", "0", fresh.Version);
        Assert.Equal(fresh.Version, unknown.Snapshot?.Version);
        Assert.Equal((0, null), (current.Deltas.Count, current.Snapshot));
    }

    [Fact]
    public async Task DeltasDeliveredTwiceOrOutOfOrderLeaveTheViewerEqualToTheDatabase()
    {
        await using var viewer = await Viewer.ConnectAsync(server, Protocols.MessagePack);
        var ingest = server.Ingest();
        for (var i = 0; i < 3; i++)
            await viewer.WaitForVersionAsync((await ingest.PostAsync(Forms.Body(TestStations.Next(), 20, 20 + i))).Seq);
        var received = viewer.Received.ToList();

        foreach (var delta in received.AsEnumerable().Reverse()) viewer.Inject(delta); // all again, newest first
        var next = await ingest.PostAsync(Forms.Body(TestStations.Next(), 1, 2));
        await viewer.WaitForVersionAsync(next.Seq);
        viewer.Inject(received[0] with { PrevVersion = next.Seq + 1, Version = next.Seq + 2 }); // from the future: a gap
        await WaitUntil(() => viewer.Resumes > 0);

        Assert.True(viewer.Ignored >= received.Count);
        await AssertSameAsReadApi(viewer, "0");
    }

    [Fact]
    public async Task RebuildStartsANewEpochAndSubscribersResync()
    {
        await using var viewer = await Viewer.ConnectAsync(server, Protocols.Json);
        await viewer.WaitForVersionAsync((await server.Ingest().PostAsync(Forms.Body(TestStations.Next(), 9, 9))).Seq);
        var before = await server.SettledResultsAsync();

        var rebuild = await server.Operator().PostAsJsonAsync("/api/v1/operator/rebuild", new { reason = "test: a rebuild moves every viewer to the new epoch" });
        var report = (await rebuild.Content.ReadFromJsonAsync<RebuildReport>())!;
        await WaitUntil(() => viewer.Epoch == report.Epoch);
        var after = await server.Anonymous().ResultsAsync();

        Assert.NotEqual(before.Epoch, after.Epoch);
        Assert.Equal(report.Epoch, after.Epoch);
        Assert.Equal(before.Votes, after.Votes);
        Assert.Equal(before.Stations, after.Stations);
        await AssertSameAsReadApi(viewer, "0");
        var reconcile = await server.Operator().PostAsync("/api/v1/operator/reconcile", null);
        Assert.Empty((await reconcile.Content.ReadFromJsonAsync<ReconciliationReport>())!.Drift);
    }

    [Fact]
    public async Task ViewersCanOnlySubscribeToKnownGroupsAndToAFewAtOnce()
    {
        await using var connection = server.Hub(Protocols.Json);
        await connection.StartAsync();
        var election = BroadcastFactory.Election;

        await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<ResultsSnapshot>("Subscribe", "ppwp", "no-such-region"));
        foreach (var province in election.Regions.Children[0].Take(20))
            await connection.InvokeAsync<ResultsSnapshot>("Subscribe", "ppwp", election.Regions.Id[province]);
        var tooMany = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<ResultsSnapshot>("Subscribe", "ppwp", "0"));
        Assert.Contains("At most 20", tooMany.Message);
    }

    [Fact]
    public async Task ReadApiAnswersNotModifiedForTheCurrentETag()
    {
        var client = server.Anonymous();
        var first = await client.GetAsync("/api/v1/results/ppwp/1");
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/v1/results/ppwp/1");
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var second = await client.SendAsync(conditional);
        var unknown = await client.GetAsync("/api/v1/results/ppwp/nowhere");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(first.Headers.CacheControl!.Public);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private async Task AssertSameAsReadApi(Viewer viewer, string region)
    {
        var truth = await server.Anonymous().ResultsAsync(region);
        await viewer.WaitForVersionAsync(truth.Version);
        Assert.Equal(truth.Version, viewer.Version);
        Assert.Equal(truth.Votes, viewer.Votes);
        Assert.Equal(truth.Stations, viewer.Stations);
        Assert.Equal((truth.Valid, truth.Invalid), (viewer.Valid, viewer.Invalid));
        Assert.Equivalent(truth.Children.ToDictionary(c => c.Id), viewer.Children);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in 20 s");
            await Task.Delay(20);
        }
    }
}

using System.Net.Http.Json;
using Broadcast.Aggregation;
using Broadcast.Client;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR;

namespace Broadcast.IntegrationTests;

/// <summary>The .NET client (src/Broadcast.Client) against a real server, over real SignalR.</summary>
public sealed class ClientTests(BroadcastFactory server) : IClassFixture<BroadcastFactory>
{
    public static TheoryData<BroadcastProtocol, FeedView> ProtocolsAndViews => new()
    {
        { BroadcastProtocol.MessagePack, FeedView.Full },
        { BroadcastProtocol.Json, FeedView.Full },
        { BroadcastProtocol.MessagePack, FeedView.Headline },
        { BroadcastProtocol.Json, FeedView.Headline },
    };

    [Theory]
    [MemberData(nameof(ProtocolsAndViews))]
    public async Task TheClientFollowsTheNationalTotalsExactly(BroadcastProtocol protocol, FeedView view)
    {
        await using var client = new BroadcastClient(server.ServerAddress, new BroadcastClientOptions { Protocol = protocol });
        await using var feed = await client.SubscribeAsync("ppwp", "0", view);
        var ingest = server.Ingest();

        // Several aggregation runs, some forms folded together, from all over the country.
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(i => ingest.PostAsync(Forms.Body(TestStations.Next(), 60 + i, 40 + round))));
            await Task.Delay(300);
        }
        var settled = await server.SettledResultsAsync();
        var held = await feed.WaitForAsync(r => r.Version >= settled.Version);

        AssertSameResults(settled, held, view);
        Assert.Equal(0, feed.Resyncs);
    }

    [Fact]
    public async Task AMissedDeltaIsFoundAndAFreshSnapshotTaken()
    {
        await using var client = new BroadcastClient(server.ServerAddress);
        await using var feed = await client.SubscribeAsync("ppwp");
        var start = feed.Current.Version;
        var lost = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.LoseFrame = frame => frame.Version > start && lost.TrySetResult(frame.Version); // the first one after start only
        var ingest = server.Ingest();

        await ingest.PostAsync(Forms.Body(TestStations.Next(), 30, 20));
        var missed = await lost.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await ingest.PostAsync(Forms.Body(TestStations.Next(), 5, 45)); // its frame starts at the missed version: a gap
        var settled = await server.SettledResultsAsync();
        var held = await feed.WaitForAsync(r => r.Version >= settled.Version);

        Assert.True(missed > start);
        // The next Delta does not start at the version held: its increments cannot apply, a
        // fresh subscription brings the feed (and the server's idea of what it holds) up to date.
        Assert.Equal(1, feed.Resyncs);
        AssertSameResults(settled, held, FeedView.Full);
    }

    [Fact]
    public async Task ARebuildMovesTheClientToTheNewEpoch()
    {
        await using var client = new BroadcastClient(server.ServerAddress, new BroadcastClientOptions { Protocol = BroadcastProtocol.Json });
        await using var feed = await client.SubscribeAsync("ppwp", "0");
        var receipt = await server.Ingest().PostAsync(Forms.Body(TestStations.Next(), 12, 13));
        var before = await feed.WaitForAsync(r => r.Version >= receipt.Seq);

        var rebuild = await server.Operator().PostAsJsonAsync("/api/v1/operator/rebuild", new { reason = "test: the .NET client follows a rebuild" });
        var report = (await rebuild.Content.ReadFromJsonAsync<RebuildReport>())!;
        var settled = await server.SettledResultsAsync();
        var held = await feed.WaitForAsync(r => r.Epoch == settled.Epoch && r.Version >= settled.Version);

        Assert.NotEqual(before.Epoch, report.Epoch);
        Assert.Equal(report.Epoch, held.Epoch);
        Assert.True(feed.Resyncs >= 1);
        AssertSameResults(settled, held, FeedView.Full);
    }

    [Fact]
    public async Task AGroupTheServerDoesNotKnowIsRefusedWithItsReasonAndTheClientGoesOn()
    {
        await using var client = new BroadcastClient(server.ServerAddress);

        var refused = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync("ppwp", "no-such-region"));
        await using var province = await client.SubscribeAsync("ppwp", "1", FeedView.Headline, maxPerSecond: 1);

        Assert.Contains("Unknown contest or group", refused.Message);
        Assert.Equal(("1", "ACEH"), (province.Current.Region.Id, province.Current.Region.Name));
        Assert.Empty(province.Current.Children);
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.SubscribeAsync("ppwp", "1"));
    }

    /// <summary>The client's state equals the read API's at the same version: totals, and (full view) every child.</summary>
    private static void AssertSameResults(ResultsSnapshot expected, ResultsSnapshot held, FeedView view)
    {
        Assert.Equal((expected.Epoch, expected.Version), (held.Epoch, held.Version));
        Assert.Equal(expected.Stations, held.Stations);
        Assert.Equal(expected.Votes, held.Votes);
        Assert.Equal((expected.Valid, expected.Invalid), (held.Valid, held.Invalid));
        if (view == FeedView.Headline)
        {
            Assert.Empty(held.Children); // and no chain after a headline frame, which leaves it out
            return;
        }
        Assert.Equal(expected.Chain, held.Chain);
        Assert.Equal(expected.Children.Select(c => c.Id), held.Children.Select(c => c.Id));
        Assert.Equivalent(expected.Children, held.Children, strict: true);
    }
}

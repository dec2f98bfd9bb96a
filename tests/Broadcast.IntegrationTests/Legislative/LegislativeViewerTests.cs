using System.Net.Http.Json;
using Broadcast.Client;
using Broadcast.Elections;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;

namespace Broadcast.IntegrationTests.Legislative;

/// <summary>
/// Viewers of a dapil and of a parliament (DPRD Kabupaten Berau: four dapils, 30 seats) that
/// only apply pushed deltas hold exactly what the read API shows: votes, candidates and seats.
/// </summary>
public sealed class LegislativeViewerTests(Pemilu2024Server fixture) : IClassFixture<Pemilu2024Server>
{
    private BroadcastFactory Server => fixture.Factory;
    private static readonly Contest Kab = LegislativeForms.Election.FindContest("dprd_kab")!;

    [Theory]
    [InlineData(Protocols.Json)]
    [InlineData(Protocols.MessagePack)]
    public async Task DapilAndParliamentViewersHoldWhatTheReadApiShowsAsTheCountMoves(string protocol)
    {
        var berau = Kab.FindParliament(LegislativeForms.Election.FindRegion("6403")!.Value)!;
        Assert.Equal((4, 30), (berau.Dapils.Count, berau.Seats));
        await using var parliament = await Viewer.ConnectAsync(Server, protocol, "dprd_kab", berau.GroupId);
        await using var dapil = await Viewer.ConnectAsync(Server, protocol, "dprd_kab", berau.Dapils[1].GroupId);
        // The .NET client beside them, on the lean frames of SubscribeWith (a Delta lists only what changed).
        await using var client = new BroadcastClient(Server.ServerAddress,
            new BroadcastClientOptions { Protocol = protocol == Protocols.Json ? BroadcastProtocol.Json : BroadcastProtocol.MessagePack });
        await using var parliamentFeed = await client.SubscribeAsync("dprd_kab", berau.GroupId);
        await using var dapilFeed = await client.SubscribeAsync("dprd_kab", berau.Dapils[1].GroupId);
        var stations = berau.Dapils.Select(d => LegislativeForms.StationsOf(d).Where((_, i) => i % 2 == (protocol == Protocols.Json ? 0 : 1)).Take(12).ToArray()).ToArray();
        var random = new Random(protocol.Length);
        var ingest = Server.Ingest();
        var reportedBefore = parliament.Stations.Reported;

        for (var wave = 0; wave < 3; wave++)
        {
            // Four stations per dapil per wave, their votes spread differently each time (and few
            // enough, about 60 ballots, to stay within the station's voters: rule R3).
            var forms = stations.SelectMany(s => s.Skip(wave * 4).Take(4))
                .Select(station => LegislativeForms.Body(station, "dprd_kab", _ => random.Next(0, 8) == 0 ? random.Next(0, 10) : 0))
                .ToList();
            var response = await ingest.PostAsJsonAsync("/api/v1/forms:batch", forms);
            response.EnsureSuccessStatusCode();
            await Server.Operator().PostAsync("/api/v1/operator/aggregate", null);

            var anonymous = Server.Anonymous();
            var parliamentNow = (await anonymous.GetFromJsonAsync<ResultsSnapshot>($"/api/v1/results/dprd_kab/{berau.GroupId}"))!;
            var dapilNow = (await anonymous.GetFromJsonAsync<ResultsSnapshot>($"/api/v1/results/dprd_kab/{berau.Dapils[1].GroupId}"))!;
            await parliament.WaitForVersionAsync(parliamentNow.Version);
            await dapil.WaitForVersionAsync(dapilNow.Version);

            AssertHolds(parliamentNow, parliament);
            AssertHolds(dapilNow, dapil);
            AssertHolds(parliamentNow, await parliamentFeed.WaitForAsync(r => r.Version >= parliamentNow.Version));
            AssertHolds(dapilNow, await dapilFeed.WaitForAsync(r => r.Version >= dapilNow.Version));
            Assert.Equal(reportedBefore + 16 * (wave + 1), parliamentNow.Stations.Reported);
        }
        Assert.True(parliament.Applied >= 3 && dapil.Applied >= 3, $"applied {parliament.Applied} / {dapil.Applied} deltas");
        Assert.Equal((0, 0), (parliamentFeed.Resyncs, dapilFeed.Resyncs));
    }

    /// <summary>The client's results equal the read API's: votes, children, candidates, seats and every dapil's seat picture.</summary>
    private static void AssertHolds(ResultsSnapshot expected, ResultsSnapshot held)
    {
        Assert.Equal((expected.Epoch, expected.Version, expected.Chain), (held.Epoch, held.Version, held.Chain));
        Assert.Equal(expected.Votes.OrderBy(v => v.Key), held.Votes.OrderBy(v => v.Key));
        Assert.Equal(expected.Stations, held.Stations);
        Assert.Equivalent(expected.Children, held.Children, strict: true);
        Assert.Equivalent(expected.Candidates ?? [], held.Candidates ?? [], strict: true);
        Assert.Equivalent(expected.Seats, held.Seats, strict: true);
    }

    private static void AssertHolds(ResultsSnapshot expected, Viewer viewer)
    {
        Assert.Equal(expected.Version, viewer.Version);
        Assert.Equal(expected.Votes.OrderBy(v => v.Key), viewer.Votes.OrderBy(v => v.Key));
        Assert.Equal(expected.Stations, viewer.Stations);
        Assert.Equal(expected.Children.Select(c => (c.Id, c.Valid, c.Stations)).OrderBy(c => c.Id),
            viewer.Children.Values.Select(c => (c.Id, c.Valid, c.Stations)).OrderBy(c => c.Id));
        Assert.Equal((expected.Candidates ?? []).Select(c => c with { Name = "" }).OrderBy(c => c.Id),
            viewer.Candidates.Values.Select(c => c with { Name = "" }).OrderBy(c => c.Id));
        Assert.Equal(expected.Seats!.Won.OrderBy(w => w.Key), viewer.Seats!.Won.OrderBy(w => w.Key));
        Assert.Equal(expected.Seats.Dapils.Count == 1 ? 1 : 4, viewer.SeatDapils.Count);
        foreach (var dapil in expected.Seats.Dapils)
        {
            var held = viewer.SeatDapils[dapil.Id];
            Assert.Equal(dapil.Won.OrderBy(w => w.Key), held.Won.OrderBy(w => w.Key));
            Assert.Equal(dapil.Elected.Select(e => (e.Id, e.Votes)), held.Elected.Select(e => (e.Id, e.Votes)));
            Assert.Equal((dapil.Last, dapil.RunnerUp), (held.Last, held.RunnerUp));
        }
    }
}

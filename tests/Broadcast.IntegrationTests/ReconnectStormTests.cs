using System.Diagnostics;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Broadcast.IntegrationTests;

/// <summary>
/// Failure mode 7: every viewer comes back within a second (after a node restart or a network
/// blip) and subscribes at once. Snapshots come from the cache: built once per group and
/// version, however many ask at the same moment.
/// </summary>
public sealed class ReconnectStormTests : IDisposable
{
    private const int Viewers = 300;
    private readonly BroadcastFactory _server = new();

    [Fact]
    public async Task Hundreds_of_viewers_subscribing_at_once_get_one_snapshot_built_and_the_same_totals()
    {
        await _server.Ingest().PostAsync(Forms.Body(TestStations.Next(), 120, 80));
        var settled = await _server.SettledResultsAsync();
        var connections = new List<HubConnection>();
        for (var i = 0; i < Viewers; i++) connections.Add(_server.Hub(i % 2 == 0 ? Protocols.MessagePack : Protocols.Json));
        await Task.WhenAll(connections.Select(c => c.StartAsync()));
        var view = _server.Services.GetRequiredService<ResultsView>();
        var builtBefore = view.SnapshotsBuilt;

        var watch = Stopwatch.StartNew();
        var snapshots = await Task.WhenAll(connections.Select(c => c.InvokeAsync<ResultsSnapshot>("Subscribe", "ppwp", "0")));
        watch.Stop();

        Assert.All(snapshots, s => Assert.Equal((settled.Version, settled.Votes["01"], settled.Votes["02"]), (s.Version, s.Votes["01"], s.Votes["02"])));
        // The national snapshot at this version was already built for the read API above.
        Assert.Equal(builtBefore, view.SnapshotsBuilt);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{Viewers} subscribes took {watch.ElapsedMilliseconds} ms");
        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
    }

    public void Dispose() => _server.Dispose();
}

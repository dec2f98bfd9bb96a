using System.Net;
using Broadcast.IntegrationTests.Support;
using Microsoft.AspNetCore.SignalR.Client;

namespace Broadcast.IntegrationTests;

/// <summary>
/// A node holds no more viewers than it has sockets for (failure-modes: a node out of file
/// descriptors does not survive): beyond Viewers:MaxConnections new viewers get 503 with
/// Retry-After, those connected are untouched, and a place frees up when one leaves.
/// </summary>
public sealed class ViewerAdmissionTests
{
    [Fact]
    public async Task Beyond_its_limit_a_node_turns_new_viewers_away_and_keeps_the_others()
    {
        using var server = new BroadcastFactory(new Dictionary<string, string?> { ["Viewers:MaxConnections"] = "2" });
        await using var first = server.Hub(Protocols.MessagePack);
        await using var second = server.Hub(Protocols.Json);
        await first.StartAsync();
        await second.StartAsync();

        await using var third = server.Hub(Protocols.MessagePack);
        await Assert.ThrowsAnyAsync<Exception>(() => third.StartAsync());
        using var negotiate = await server.Anonymous().PostAsync("/hubs/results/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, negotiate.StatusCode);
        Assert.Equal("5", negotiate.Headers.GetValues("Retry-After").Single());

        await first.InvokeAsync<Results.ResultsSnapshot>("Subscribe", "ppwp", "0"); // the viewers already in are served
        await second.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using var again = server.Hub(Protocols.MessagePack);
            try
            {
                await again.StartAsync();
                Assert.Equal(HubConnectionState.Connected, again.State);
                break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100); // the server notices the departure a moment later
            }
        }
    }

    [Fact]
    public void A_limit_the_process_cannot_hold_is_refused_at_start_up()
    {
        using var server = new BroadcastFactory(new Dictionary<string, string?> { ["Viewers:MaxConnections"] = "10000000" });
        var error = Assert.ThrowsAny<Exception>(() => server.ServerAddress);
        Assert.Contains("Viewers:MaxConnections must be", error.ToString());
    }
}

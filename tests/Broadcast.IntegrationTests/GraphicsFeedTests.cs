using System.Net.Http.Json;
using System.Text.Json;
using Broadcast.Client;
using Broadcast.Graphics;
using Broadcast.IntegrationTests.Support;

namespace Broadcast.IntegrationTests;

public sealed class GraphicsFeedTests(BroadcastFactory server) : IClassFixture<BroadcastFactory>
{
    [Fact]
    public async Task FlatFeedCarriesTheSameNumbersAsTheReadApiAndTheDotNetClientBuildsTheSameObject()
    {
        var receipt = await server.Ingest().PostAsync(Forms.Body(TestStations.Next(), 120, 80));
        await using var client = new BroadcastClient(server.ServerAddress);
        await using var feed = await client.SubscribeAsync("ppwp", "0", FeedView.Headline);
        var held = await feed.WaitForAsync(r => r.Version >= receipt.Seq);

        var flat = await server.Anonymous().GetFromJsonAsync<Dictionary<string, JsonElement>>("/api/v1/graphics/ppwp/0");
        var snapshot = await server.Anonymous().ResultsAsync();

        Assert.Equal(snapshot.Votes["01"], flat!["choice_01_votes"].GetInt64());
        Assert.Equal(snapshot.Votes["02"], flat["choice_02_votes"].GetInt64());
        Assert.Equal(snapshot.Stations.Reported, flat["stations_reported"].GetInt64());
        Assert.Equal(snapshot.Version, flat["version"].GetInt64());
        var share = Math.Round(snapshot.Votes["01"] * 100.0 / (snapshot.Votes["01"] + snapshot.Votes["02"]), 2);
        Assert.Equal(share, flat["choice_01_percent"].GetDouble());
        Assert.Equal(share >= 50 ? "01" : "02", flat["leader_id"].GetString());

        // One definition of the keys: the client's object from its own results is the server's.
        var choices = new[] { "01", "02" }.Select(id => (id, flat[$"choice_{id}_name"].GetString()!)).ToList();
        var built = JsonSerializer.SerializeToElement(GraphicsValues.Flatten(held, choices)).EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal(flat.Keys, built.Keys);
        Assert.All(flat.Where(pair => pair.Key != "served_at"), pair => Assert.True(JsonElement.DeepEquals(pair.Value, built[pair.Key]), pair.Key));
    }

    [Fact]
    public async Task EventStreamPushesTheFlatObjectWhenTotalsChange()
    {
        using var client = server.Anonymous();
        using var response = await client.GetAsync("/api/v1/graphics/ppwp/0/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await NextEventAsync(reader);

        var receipt = await server.Ingest().PostAsync(Forms.Body(TestStations.Next(), 10, 30));
        JsonElement next;
        do next = await NextEventAsync(reader);
        while (next.GetProperty("version").GetInt64() < receipt.Seq);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(first.GetProperty("choice_02_votes").GetInt64() + 30, next.GetProperty("choice_02_votes").GetInt64());
    }

    private static async Task<JsonElement> NextEventAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith("data: ", StringComparison.Ordinal)) return JsonDocument.Parse(line[6..]).RootElement;
        throw new EndOfStreamException("the event stream ended");
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.IntegrationTests.Support;
using Broadcast.Storage;

namespace Broadcast.IntegrationTests.Legislative;

/// <summary>
/// The totals as of a past moment of the legislative groups (dapils with their candidates and
/// seats, parliaments, regions): what the live view showed after each aggregation run is what a
/// look back at that run's seq shows later, with corrections and a held form accepted in
/// between; both when the contests are kept in memory and when they are folded from the store.
/// </summary>
public sealed class AsOfLegislativeTests
{
    private static readonly Election Election = LegislativeForms.Election;
    private static readonly Dapil Berau1 = Election.FindContest("dprd_kab")!.FindDapil("640301")!;
    private static readonly string[] Stations = LegislativeForms.StationsOf(Berau1).Take(40).ToArray();
    private static readonly (string Contest, string Group)[] Groups =
    [
        ("dpr", "parliament:0"), ("dpr", "dapil:6401"), ("dpr", "64"),
        ("dprd_kab", "parliament:6403"), ("dprd_kab", "dapil:640301"), ("dprd_kab", "6403"), ("dprd_kab", "0"),
    ];

    [Theory]
    [InlineData(256)] // every contest in memory
    [InlineData(0)]   // every contest folded from the store
    public async Task LookingBackAtARunShowsWhatTheLiveViewShowedThen(int indexMegabytes)
    {
        using var server = new BroadcastFactory(new() { ["History:IndexMegabytes"] = indexMegabytes.ToString() }, pemilu2024: true);
        var ingest = server.Ingest();
        var client = server.Anonymous();
        var op = server.Operator();
        var seen = new List<(long Seq, string Path, JsonNode Live)>();
        long lastSeq = 0;

        async Task Post(IEnumerable<object> forms)
        {
            var response = await ingest.PostAsJsonAsync("/api/v1/forms:batch", forms);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            lastSeq = (await response.Content.ReadFromJsonAsync<BatchReceipts>())!.Receipts.Max(r => r.Seq);
        }
        async Task RecordLive()
        {
            (await op.PostAsync("/api/v1/operator/aggregate", null)).EnsureSuccessStatusCode();
            foreach (var (contest, group) in Groups)
            {
                var path = $"/api/v1/results/{contest}/{group}";
                seen.Add((lastSeq, path, JsonNode.Parse(await client.GetStringAsync(path))!));
            }
        }

        // A few votes on about one entry in nine: well within a station's voters (rule R3).
        object Form(string station, string contest, int salt) =>
            LegislativeForms.Body(station, contest, e => (e + salt + station[^1]) % 9 == 0 ? 1 + (e * 7 + salt) % 5 : 0);
        await Post(Stations[..20].SelectMany(s => new[] { Form(s, "dpr", 1), Form(s, "dprd_kab", 1) }));
        await RecordLive();

        // Corrections of five stations, ten new ones, and one form whose parties do not add up (held, P1).
        var held = Stations[20];
        var bad = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Form(held, "dprd_kab", 2), System.Text.Json.JsonSerializerOptions.Web))!;
        bad["valid"] = (int)bad["valid"]! + 5;
        bad["total"] = (int)bad["valid"]! + (int)bad["invalid"]!;
        await Post(Stations[..5].Select(s => Form(s, "dprd_kab", 3)).Concat(Stations[21..31].Select(s => Form(s, "dpr", 2)))
            .Append(Form(held, "dpr", 2)).Append(bad));
        await RecordLive();
        var trail = (await client.GetFromJsonAsync<JsonNode>($"/api/v1/stations/{held}/forms/dprd_kab"))!;
        Assert.Equal("quarantined", (string)trail["revisions"]![0]!["status"]!);

        // The operator accepts it; more stations come in.
        var accept = await op.PostAsJsonAsync($"/api/v1/stations/{held}/forms/dprd_kab/1/accept", new { reason = "C1 photo checked" });
        Assert.Equal(HttpStatusCode.Accepted, accept.StatusCode);
        await Post(Stations[31..].SelectMany(s => new[] { Form(s, "dpr", 4), Form(s, "dprd_kab", 4) }));
        await RecordLive();

        foreach (var (seq, path, live) in seen)
        {
            var past = JsonNode.Parse(await client.GetStringAsync($"{path}?asOf=seq:{seq}"))!.AsObject();
            Assert.Equal(seq, (long)past["asOf"]!["seq"]!);
            Assert.Equal(seq, (long)past["chain"]!["seq"]!);
            Assert.Equal("asof", (string)past["epoch"]!);
            // What tells live and past answers apart: the epoch, and the version its chain link names.
            foreach (var key in new[] { "asOf", "epoch", "version", "chain" }) past.Remove(key);
            var then = live.AsObject();
            foreach (var key in new[] { "epoch", "version", "chain" }) then.Remove(key);
            Assert.True(JsonNode.DeepEquals(then, past), $"{path} as of seq {seq}:\nlive {then.ToJsonString()}\npast {past.ToJsonString()}");
        }
        // The looks back differ from each other: every run moved the dapil's votes and candidates.
        var dapil = seen.Where(s => s.Path.EndsWith("dapil:640301", StringComparison.Ordinal)).Select(s => s.Live["candidates"]!.ToJsonString()).ToList();
        Assert.Equal(3, dapil.Distinct().Count());
        var last = seen.Last(s => s.Path.EndsWith("dapil:640301", StringComparison.Ordinal)).Live;
        Assert.Equal((30L, 0L), ((long)last["stations"]!["reported"]!, (long)last["stations"]!["quarantined"]!)); // 20, then the accepted one and 9 more
        Assert.NotEmpty(last["seats"]!["won"]!.AsObject());
    }
}

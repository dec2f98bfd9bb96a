using Broadcast.Results;
using System.Net.Http.Json;

namespace Broadcast.IntegrationTests.Support;

/// <summary>
/// Hands out real 2019 polling stations, each at most once per test run, so tests sharing a
/// server never touch each other's stations. All have a DPT of at least 250, so forms of up to
/// 250 ballots pass rule R3.
/// </summary>
public static class TestStations
{
    private static readonly int[] Candidates = Enumerable.Range(0, BroadcastFactory.Election.Stations.Count)
        .Where(s => BroadcastFactory.Election.Stations.RegisteredVoters[s] >= 250)
        .Where((_, i) => i % 11 == 0) // spread over the country; ~36,000, enough for the cluster tests' steady ingest
        .ToArray();

    private static int _next = -1;

    public static string Next() => BroadcastFactory.Election.StationId(Candidates[Interlocked.Increment(ref _next)]);

    public static async Task<ResultsSnapshot> ResultsAsync(this HttpClient client, string region = "0") =>
        (await client.GetFromJsonAsync<ResultsSnapshot>($"/api/v1/results/ppwp/{region}"))!;
}

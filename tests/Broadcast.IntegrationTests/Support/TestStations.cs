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

    /// <summary>
    /// Batches of one station per province each (every station used once), so that each run
    /// changes every province. For a server of its own: these stations are not kept apart from <see cref="Next"/>'s.
    /// </summary>
    public static List<List<string>> SpreadBatches(int batches)
    {
        var election = BroadcastFactory.Election;
        var regions = election.Regions;
        var perProvince = Enumerable.Range(0, election.Stations.Count)
            .Where(s => election.Stations.RegisteredVoters[s] >= 250)
            .GroupBy(s => regions.SelfAndAncestors(election.Stations.Village[s]).First(r => regions.Level[r] == Elections.RegionLevel.Province))
            .Select(stations => stations.Take(batches).ToList())
            .ToList();
        return Enumerable.Range(0, batches)
            .Select(b => perProvince.Where(stations => stations.Count > b).Select(stations => election.StationId(stations[b])).ToList())
            .Where(batch => batch.Count > 0)
            .ToList();
    }

    public static async Task<ResultsSnapshot> ResultsAsync(this HttpClient client, string region = "0") =>
        (await client.GetFromJsonAsync<ResultsSnapshot>($"/api/v1/results/ppwp/{region}"))!;
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Broadcast.IntegrationTests.Support;
using Broadcast.Storage;

namespace Broadcast.IntegrationTests.Cluster;

/// <summary>
/// An election official's app against the cluster: posts one form per new station, with an
/// Idempotency-Key, spread over the given nodes; when a node fails or answers 503 it sends the
/// same request (same key) to the next node until it is acknowledged. Records what was
/// acknowledged, so a test can check that exactly that, once, is in the store and the totals.
/// </summary>
public sealed class ClusterIngest(LocalCluster cluster, params int[] nodes)
{
    public ConcurrentDictionary<string, FormReceipt> Acknowledged { get; } = new();
    public int Failures => _failures;
    public int Unavailable => _unavailable;
    public int WithRetryAfter => _withRetryAfter;

    private int _failures, _unavailable, _withRetryAfter, _next;

    /// <summary>Posts until <paramref name="stop"/>; a form in flight when it fires is still carried through to its acknowledgement.</summary>
    public Task RunAsync(CancellationToken stop, int workers = 2, TimeSpan? pause = null) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await PostOneAsync(TestStations.Next());
                if (pause is { } p) await Task.Delay(p);
            }
        })));

    /// <summary>Sends one form for <paramref name="station"/> and retries over the nodes until it is acknowledged.</summary>
    public async Task<FormReceipt> PostOneAsync(string station)
    {
        var a = 50 + Math.Abs(station.GetHashCode() % 70);
        var b = 30 + Math.Abs(station.GetHashCode() / 7 % 70);
        var body = Forms.Body(station, a, b);
        var key = "cluster-" + Guid.NewGuid().ToString("N");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var node = nodes[Interlocked.Increment(ref _next) % nodes.Length];
            try
            {
                using var client = cluster.Ingest(node);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/forms") { Content = JsonContent.Create(body) };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await client.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    var receipt = (await response.Content.ReadFromJsonAsync<FormReceipt>())!;
                    Acknowledged[station] = receipt;
                    return receipt;
                }
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Interlocked.Increment(ref _unavailable);
                    if (response.Headers.RetryAfter is not null) Interlocked.Increment(ref _withRetryAfter);
                }
                else
                {
                    throw new InvalidOperationException($"{station} on node {node}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref _failures); // the node is down or did not answer in time
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{station} was never acknowledged");
            await Task.Delay(100);
        }
    }
}

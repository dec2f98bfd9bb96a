using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Broadcast.IntegrationTests.Cluster;
using Broadcast.IntegrationTests.Support;
using Broadcast.Results;
using Xunit.Abstractions;

namespace Broadcast.IntegrationTests;

/// <summary>
/// The CDN path: readers fetch snapshots at their immutable version URLs through a real shared
/// cache (Debian's nginx, scripts/start-cdn.sh) in front of one node. However many readers,
/// the origin serves each group about once per version.
/// </summary>
public sealed class CdnCacheTests(ITestOutputHelper output) : IDisposable
{
    private readonly BroadcastFactory _server = new();
    private readonly int _port = FreePorts.Consecutive();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"broadcast-cdn-test-{Guid.NewGuid():N}");

    [Fact]
    public async Task ReadersThroughASharedCacheCostTheOriginAboutOneRequestPerGroupPerVersion()
    {
        var cdn = new Uri(Script("start-cdn.sh", _server.ServerAddress.ToString().TrimEnd('/'), _port.ToString(), _dir).Trim().Split('\n')[^1]);
        string[] groups = ["0", "1", "25823", "26141"]; // national, ACEH, DKI JAKARTA, JAWA BARAT
        const int readers = 300, versions = 5;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, AutomaticDecompression = DecompressionMethods.All };
        using var client = new HttpClient(handler) { BaseAddress = cdn };
        var ingest = _server.Ingest();
        var readerRequests = 0;
        var distinct = new HashSet<string>();
        var watch = Stopwatch.StartNew();

        for (var round = 0; round < versions; round++)
        {
            await ingest.PostAsync(Forms.Body(TestStations.Next(), 10 + round, 20));
            await _server.Operator().PostAsync("/api/v1/operator/aggregate", null);
            // As a push would tell them: the new version of each group, then everyone fetches it.
            var current = await Task.WhenAll(groups.Select(g => _server.Anonymous().GetFromJsonAsync<ResultsSnapshot>($"/api/v1/results/ppwp/{g}")));
            // A form changes the nation and one province: the other groups keep their version (and URL).
            distinct.UnionWith(current.Select((s, i) => $"{groups[i]}/{s!.Epoch}.{s.Version}"));
            await Task.WhenAll(Enumerable.Range(0, readers).Select(async reader =>
            {
                var snapshot = current[reader % groups.Length]!;
                var url = $"/api/v1/results/ppwp/{groups[reader % groups.Length]}/v/{snapshot.Epoch}.{snapshot.Version}";
                var fetched = await client.GetFromJsonAsync<ResultsSnapshot>(url);
                Assert.Equal(snapshot.Version, fetched!.Version);
                Assert.Equal(snapshot.Votes, fetched.Votes);
                Interlocked.Increment(ref readerRequests);
            }));
        }

        var origin = File.ReadAllLines(Path.Combine(_dir, "access.log"))
            .Count(line => line.StartsWith("/api/v1/results/", StringComparison.Ordinal) && !line.EndsWith(" HIT", StringComparison.Ordinal));
        var line = $"cdn: {readers} readers x {versions} rounds over {groups.Length} groups = {readerRequests} reader requests " +
            $"through nginx in {watch.ElapsedMilliseconds} ms for {distinct.Count} (group, version) URLs; origin requests {origin} " +
            $"({(double)origin / distinct.Count:F2} per group per version)";
        output.WriteLine(line);
        Directory.CreateDirectory(Path.Combine(LocalCluster.RepoRoot, "artifacts"));
        await File.AppendAllTextAsync(Path.Combine(LocalCluster.RepoRoot, "artifacts", "cdn-cache.txt"), $"{DateTime.UtcNow:O} {line}\n");
        Assert.Equal(readers * versions, readerRequests);
        Assert.InRange(origin, distinct.Count, distinct.Count + groups.Length);
    }

    private static string Script(string name, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(LocalCluster.RepoRoot, "scripts", name)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"scripts/{name} failed ({process.ExitCode}): {stderr}{stdout}");
        return stdout;
    }

    public void Dispose()
    {
        try { Script("stop-cdn.sh", _port.ToString(), _dir); }
        finally
        {
            _server.Dispose();
            if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
        }
    }
}

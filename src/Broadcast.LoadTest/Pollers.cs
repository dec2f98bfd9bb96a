using System.Net;
using System.Text.Json;

namespace Broadcast.LoadTest;

/// <summary>
/// The polling baseline (<c>--poll</c>): what news sites did in 2019. Each viewer GETs its
/// region's JSON snapshot every interval, unconditionally (no ETag: those sites re-fetched the
/// whole page data), its first poll placed at random in the interval so the load is even. Counts
/// requests and response bytes at the origin over the window; national viewers (the probes)
/// note when they first see each version, so staleness (form accepted → seen) is matched with
/// the receipts exactly like the push viewers' deltas. Runs in the coordinator process: a few
/// thousand polls per second need no sockets of their own beyond a connection pool.
/// </summary>
public sealed class Pollers(LoadOptions options, TimeSpan every)
{
    public sealed record Result(long Pollers, long WindowRequests, long WindowBytes, long Errors, long[][] Probes)
    {
        public ViewerReport AsViewerReport() => new(0, (int)Pollers, Pollers, Pollers, Pollers, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, [], Probes, WindowBytes);
    }

    private long _requests, _bytes, _errors;

    public async Task<Result> RunAsync(Schedule schedule)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 2048,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var catalog = await RegionCatalog.LoadAsync(http, options.Servers[0], options.Mix, CancellationToken.None);
        var random = new Random(options.Seed);
        var probes = new List<List<long>>();
        var polls = new List<Task>();
        for (var i = 0; i < options.Connections; i++)
        {
            var region = catalog.Pick(options.Mix, random);
            List<long>? arrivals = null;
            if (region == RegionCatalog.National && probes.Count < options.Probes) probes.Add(arrivals = []);
            var server = options.Servers[i % options.Servers.Length];
            var url = new Uri(server, $"/api/v1/results/{RegionCatalog.Contest}/{region}");
            var first = schedule.StartAt + Schedule.Ticks(every * random.NextDouble());
            polls.Add(PollAsync(http, url, first, schedule, arrivals));
        }
        await Task.WhenAll(polls);
        return new Result(options.Connections, _requests, _bytes, _errors, probes.Select(p => p.ToArray()).ToArray());
    }

    private async Task PollAsync(HttpClient http, Uri url, long first, Schedule schedule, List<long>? arrivals)
    {
        var ticks = Schedule.Ticks(every);
        long lastVersion = -1;
        for (var due = first; due < schedule.StopAt; due += ticks)
        {
            await Schedule.UntilAsync(due);
            try
            {
                var body = await http.GetByteArrayAsync(url);
                var now = Schedule.Now;
                if (schedule.InWindow(now))
                {
                    Interlocked.Increment(ref _requests);
                    Interlocked.Add(ref _bytes, body.Length);
                }
                if (arrivals is null) continue;
                using var snapshot = JsonDocument.Parse(body);
                var version = snapshot.RootElement.GetProperty("version").GetInt64();
                if (version <= lastVersion) continue;
                lastVersion = version;
                lock (arrivals) arrivals.AddRange([version, now]);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref _errors);
            }
        }
    }
}

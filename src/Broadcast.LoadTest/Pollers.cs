using System.Net;
using System.Net.Http.Headers;

namespace Broadcast.LoadTest;

/// <summary>
/// The polling baseline (<c>--poll</c>), in a viewer process: each of its viewers GETs its group's
/// snapshot (<c>/api/v1/results/{contest}/{group}</c>, the read API) every interval (its
/// audience's <c>poll=</c>, else <c>--poll</c>), its first poll at a random moment in the first
/// interval so the load is even. By default as a good client does: <c>Accept-Encoding: br, gzip</c>
/// and <c>If-None-Match</c> with the last ETag (a 304 when nothing changed); with
/// <c>--poll-plain</c> as 2019's news sites did, unconditionally and uncompressed. Counts per
/// audience the requests answered in the window, 200s and 304s, the bodies as received
/// (compressed, not decoded) and every byte that crossed the sockets. Probe viewers note when
/// they first see each version (from the ETag, <c>"epoch.version"</c>), so staleness (form
/// accepted → seen) is matched with the receipts exactly like the push viewers' frames.
/// </summary>
public sealed class Pollers(LoadOptions options, Schedule schedule, AudienceStats[] audiences, HttpClient[] clients)
{
    public sealed record Result(long Pollers, long[] PollersPerAudience, long[][] Probes, string[] ProbeGroups, int[] ProbeAudiences);

    private static readonly StringWithQualityHeaderValue[] Encodings = [new("br"), new("gzip")];
    private long _requests, _errors;

    public long Requests => Interlocked.Read(ref _requests);
    public long Errors => Interlocked.Read(ref _errors);

    public async Task<Result> RunAsync(RegionCatalog catalog)
    {
        var random = new Random(options.Seed);
        var mix = options.Mix;
        var perAudience = new long[mix.Audiences.Length];
        var probes = new List<(List<long> Arrivals, string Group, int Audience)>();
        var probeCount = new int[mix.Audiences.Length];
        var polls = new List<Task>(options.Connections);
        for (var i = 0; i < options.Connections; i++)
        {
            var a = mix.Pick(random);
            var audience = mix.Audiences[a];
            var region = catalog.Pick(audience.Level, random);
            perAudience[a]++;
            audiences[a].Assigned();
            List<long>? arrivals = null;
            if (probeCount[a] < options.Probes)
            {
                probeCount[a]++;
                probes.Add((arrivals = [], region, a));
            }
            var server = options.Servers[i % options.Servers.Length];
            var url = new Uri(server, $"/api/v1/results/{RegionCatalog.Contest}/{Uri.EscapeDataString(region)}");
            var every = audience.Poll ?? options.Poll!.Value;
            var first = schedule.StartAt + Schedule.Ticks(every * random.NextDouble());
            polls.Add(PollAsync(clients[a], audiences[a], url, every, first, arrivals));
        }
        await Task.WhenAll(polls);
        return new Result(options.Connections, perAudience, probes.Select(p => p.Arrivals.ToArray()).ToArray(),
            probes.Select(p => p.Group).ToArray(), probes.Select(p => p.Audience).ToArray());
    }

    private async Task PollAsync(HttpClient http, AudienceStats stats, Uri url, TimeSpan every, long first, List<long>? arrivals)
    {
        var ticks = Schedule.Ticks(every);
        long lastVersion = -1;
        EntityTagHeaderValue? etag = null;
        for (var due = first; due < schedule.StopAt; due += ticks)
        {
            // A poll answered later than the next one was due does not make up for it with a burst
            // (a page's timer fires on its grid, one request at a time): the missed polls are skipped and counted.
            var now0 = Schedule.Now;
            if (now0 > due + ticks)
            {
                var missed = (now0 - due) / ticks;
                due += missed * ticks;
                stats.PollsMissed(missed, now0);
            }
            await Schedule.UntilAsync(due);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                if (!options.PollPlain)
                {
                    foreach (var e in Encodings) request.Headers.AcceptEncoding.Add(e);
                    if (etag is not null) request.Headers.IfNoneMatch.Add(etag);
                }
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                var body = await response.Content.ReadAsByteArrayAsync();
                var now = Schedule.Now;
                Interlocked.Increment(ref _requests);
                if (response.StatusCode == HttpStatusCode.NotModified)
                {
                    stats.Polled(true, body.Length, now);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    stats.PollFailed();
                    Interlocked.Increment(ref _errors);
                    continue;
                }
                stats.Polled(false, body.Length, now);
                etag = response.Headers.ETag;
                if (arrivals is null || VersionOf(etag) is not { } version || version <= lastVersion) continue;
                lastVersion = version;
                arrivals.AddRange([version, now]);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                stats.PollFailed();
                Interlocked.Increment(ref _errors);
            }
        }
    }

    /// <summary>The version in an ETag <c>"epoch.version"</c> (weak or not), as the read API writes it.</summary>
    public static long? VersionOf(EntityTagHeaderValue? etag)
    {
        if (etag is null) return null;
        var tag = etag.Tag.AsSpan().Trim('"');
        var dot = tag.LastIndexOf('.');
        return dot >= 0 && long.TryParse(tag[(dot + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v : null;
    }
}

using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Broadcast.LoadTest;

/// <summary>A receipt's global sequence number, when its answer arrived (a <see cref="Schedule"/> timestamp) and the form's village.</summary>
public readonly record struct Accepted(long Seq, long At, long Village);

/// <summary>
/// Posts batches at a fixed arrival rate (open loop): request i starts at WindowStart + i * batch / rate
/// whether or not earlier ones have finished, so a slow server shows as latency, not as a lower
/// rate. A request due while <c>--max-in-flight</c> are outstanding is skipped and counted.
/// Request i goes to endpoint i mod n (round-robin over --ingest-server, default --server).
/// </summary>
public sealed class IngestDriver : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly Uri[] _endpoints;
    private readonly int _maxInFlight;
    private readonly Lock _lock = new();
    private readonly List<Accepted> _accepted = new(200_000);
    private readonly Histogram _latency = new();
    private readonly Dictionary<string, long> _statuses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);
    private int _inFlight;
    private long _sent, _skipped, _formsAccepted;

    public IngestDriver(LoadOptions options)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.MaxInFlight, ConnectTimeout = TimeSpan.FromSeconds(10) };
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);
        // Round-robin over the nodes, request by request (--ingest-server, else --server).
        _endpoints = (options.IngestServers.Length > 0 ? options.IngestServers : options.Servers).Select(s => new Uri(s, "/api/v1/forms:batch")).ToArray();
        _maxInFlight = options.MaxInFlight;
    }

    public void Dispose() => _http.Dispose();

    public long Sent => Interlocked.Read(ref _sent);
    public long FormsAccepted => Interlocked.Read(ref _formsAccepted);
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Sends <paramref name="bodies"/> on schedule over [WindowStart, WindowEnd); waits for the stragglers until StopAt.</summary>
    /// <param name="villages">Per body, the village of each of its forms in order (the receipts come in the same order).</param>
    public async Task<IngestReport> RunAsync(byte[][] bodies, long[][] villages, Schedule schedule, double formsPerSecond, int batch)
    {
        var interval = Schedule.Ticks(TimeSpan.FromSeconds(batch / formsPerSecond));
        var requests = new List<Task>(bodies.Length);
        for (var i = 0; i < bodies.Length; i++)
        {
            var due = schedule.WindowStart + i * interval;
            if (due >= schedule.WindowEnd) break;
            await Schedule.UntilAsync(due);
            if (Volatile.Read(ref _inFlight) >= _maxInFlight)
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }
            Interlocked.Increment(ref _inFlight);
            requests.Add(SendAsync(bodies[i], villages[i], _endpoints[i % _endpoints.Length], due));
        }
        var all = Task.WhenAll(requests);
        await Task.WhenAny(all, Schedule.UntilAsync(schedule.StopAt));
        lock (_lock)
        {
            var unfinished = requests.Count(t => !t.IsCompleted);
            return new IngestReport(formsPerSecond, batch, requests.Count + _skipped, _sent, _skipped, unfinished,
                _formsAccepted, new(_statuses), new(_errors), _latency.Summary());
        }
    }

    /// <summary>The accepted forms (duplicates excluded: they were stored earlier and change nothing).</summary>
    public Accepted[] Receipts()
    {
        lock (_lock) return [.. _accepted];
    }

    private async Task SendAsync(byte[] body, long[] villages, Uri endpoint, long due)
    {
        await Task.Yield(); // the scheduler loop must not run the request's synchronous part
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = Json;
            Interlocked.Increment(ref _sent);
            using var response = await _http.PostAsync(endpoint, content);
            var answer = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync(LoadJson.Default.BatchAnswer) : null;
            var at = Schedule.Now;
            lock (_lock)
            {
                // From the scheduled start, not the actual one: a late start is the server's (or our) delay too.
                _latency.Record(Schedule.Micros(at - due));
                if (answer is null)
                    Count(_errors, $"HTTP {(int)response.StatusCode}");
                else
                    Accept(answer, villages, at);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            lock (_lock) Count(_errors, e.GetType().Name + ": " + e.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void Accept(BatchAnswer answer, long[] villages, long at)
    {
        for (var k = 0; k < answer.Receipts.Length; k++)
        {
            var r = answer.Receipts[k];
            Count(_statuses, r.Status);
            if (r.Status != "duplicate")
                _accepted.Add(new Accepted(r.Seq, at, k < villages.Length ? villages[k] : long.MinValue));
        }
        Interlocked.Add(ref _formsAccepted, answer.Receipts.Length);
    }

    private static void Count(Dictionary<string, long> counts, string key)
    {
        if (counts.Count < 50 || counts.ContainsKey(key))
            counts[key] = counts.GetValueOrDefault(key) + 1;
    }
}

using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Broadcast.Client;

namespace Broadcast.Replay;

/// <summary>The replay cannot go on (e.g. the ingest key is refused): every further request would fail the same way.</summary>
public sealed class ReplayAbortedException(string message) : Exception(message);

/// <summary>A form as the sender needs it: its station (for reports), whether it is a correction, and its JSON object.</summary>
public interface IOutgoingForm
{
    string Station { get; }
    bool IsCorrection { get; }
    void WriteTo(Utf8JsonWriter writer);
}

/// <summary>Sends forms to the ingest API: one POST per batch, retried safely thanks to a content-derived Idempotency-Key.</summary>
public sealed class FormSender : IDisposable
{
    private const int MaxAttempts = 8;
    private const int MaxReports = 20; // rejections printed in full; a bad run should not flood the terminal
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly bool _single;
    private readonly ReplayStats _stats;
    private readonly Action<string> _log;
    private int _reports;

    public FormSender(ReplayOptions options, ReplayStats stats, Action<string> log)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Concurrency,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.All,
        };
        // With --key-id every request is signed (each retry anew); without it the secret goes as a bearer.
        _http = options.KeyId is { } keyId
            ? new HttpClient(new IngestSigningHandler(new IngestRequestSigner(keyId, options.Key!), handler)) { Timeout = TimeSpan.FromSeconds(100) }
            : new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(100), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", options.Key) } };
        _single = options.Batch == 1;
        _endpoint = new UriBuilder(options.Server) { Path = _single ? "/api/v1/forms" : "/api/v1/forms:batch" }.Uri;
        _stats = stats;
        _log = log;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Sends the forms (one request), retrying transient failures; the outcome lands in the stats.</summary>
    public async Task SendAsync<TForm>(IReadOnlyList<TForm> forms, CancellationToken ct) where TForm : IOutgoingForm
    {
        var body = Serialize(forms);
        // Same content => same key: a retry after a lost answer is answered from the server's first receipt.
        var key = "replay-" + Convert.ToHexStringLower(SHA256.HashData(body));
        var lastError = "";
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var request = NewRequest(body, key);
                var started = Stopwatch.GetTimestamp();
                using var response = await _http.SendAsync(request, ct);
                _stats.Request(Stopwatch.GetElapsedTime(started));
                if (response.IsSuccessStatusCode)
                {
                    await CountReceiptsAsync(forms, response, ct);
                    return;
                }
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    throw new ReplayAbortedException($"ingest key refused: HTTP {(int)response.StatusCode} (--key / BROADCAST_INGEST_KEY, --key-id) {await ShortBodyAsync(response, ct)}");
                if (response.StatusCode == HttpStatusCode.UnprocessableEntity
                    && await BadFormsAsync(response, forms.Count, ct) is { Count: > 0 } bad)
                {
                    // Bad forms are the data's (the real 2019 night has a typo form): reported, not a failure.
                    // A batch is all or nothing: drop the forms the server named and send the rest again.
                    foreach (var (index, problem) in bad)
                    {
                        _stats.Rejection(forms[index].Station, problem);
                        Report($"form {forms[index].Station} rejected: {problem}");
                    }
                    if (bad.Count < forms.Count)
                        await SendAsync(forms.Where((_, i) => !bad.ContainsKey(i)).ToArray(), ct);
                    return;
                }
                if (!IsTransient(response.StatusCode))
                {
                    // Not an answer about the forms (413, 404, a 422 that names none...): the replay itself is wrong.
                    _stats.Failure(forms.Count);
                    Report($"{Describe(forms)} failed: HTTP {(int)response.StatusCode} {await ShortBodyAsync(response, ct)}");
                    return;
                }
                lastError = $"HTTP {(int)response.StatusCode}";
                retryAfter = RetryAfter(response.Headers.RetryAfter);
            }
            catch (HttpRequestException e)
            {
                lastError = e.Message;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                lastError = "request timed out";
            }
            if (attempt < MaxAttempts)
            {
                _stats.Retry();
                await Task.Delay(retryAfter ?? Backoff(attempt), ct);
            }
        }
        _stats.Failure(forms.Count);
        Report($"{Describe(forms)} failed after {MaxAttempts} attempts: {lastError}");
    }

    /// <summary>
    /// The forms a 422 names, with their problems: in a batch the errors keyed <c>[index].field</c>,
    /// for a single form all of them. Empty when the answer names no form.
    /// </summary>
    private async Task<Dictionary<int, string>> BadFormsAsync(HttpResponseMessage response, int count, CancellationToken ct)
    {
        var bad = new Dictionary<int, string>();
        try
        {
            using var problem = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            if (!problem.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object) return bad;
            foreach (var error in errors.EnumerateObject())
            {
                var (index, field) = (0, error.Name);
                if (!_single)
                {
                    var close = error.Name.IndexOf(']');
                    if (!error.Name.StartsWith('[') || close < 2 || !int.TryParse(error.Name.AsSpan(1, close - 1), out index) || index >= count)
                        continue;
                    field = close + 2 < error.Name.Length ? error.Name[(close + 2)..] : "form";
                }
                var messages = error.Value.ValueKind == JsonValueKind.Array
                    ? string.Join(", ", error.Value.EnumerateArray().Select(m => m.ToString()))
                    : error.Value.ToString();
                bad[index] = bad.TryGetValue(index, out var earlier) ? $"{earlier}; {field} {messages}" : $"{field} {messages}";
            }
        }
        catch (JsonException)
        {
            // Not a problem+json body: no form is named, and the caller counts a failure.
        }
        return bad;
    }

    private HttpRequestMessage NewRequest(byte[] body, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    private async Task CountReceiptsAsync<TForm>(IReadOnlyList<TForm> forms, HttpResponseMessage response, CancellationToken ct)
        where TForm : IOutgoingForm
    {
        Receipt[] receipts;
        try
        {
            receipts = _single
                ? [await response.Content.ReadFromJsonAsync(ReplayJson.Default.Receipt, ct) ?? throw new JsonException("empty body")]
                : (await response.Content.ReadFromJsonAsync(ReplayJson.Default.BatchAnswer, ct))?.Receipts ?? throw new JsonException("no receipts");
        }
        catch (JsonException e)
        {
            _stats.Failure(forms.Count);
            Report($"{Describe(forms)}: unreadable answer ({e.Message})");
            return;
        }
        if (receipts.Length != forms.Count)
        {
            Report($"{Describe(forms)}: {receipts.Length} receipts for {forms.Count} forms");
            _stats.Failure(Math.Max(0, forms.Count - receipts.Length));
            receipts = receipts[..Math.Min(receipts.Length, forms.Count)];
        }
        _stats.Accepted(receipts, forms.Take(receipts.Length).Count(f => f.IsCorrection));
    }

    /// <summary>Builds the body: one form object for POST /forms, a JSON array for /forms:batch.</summary>
    private byte[] Serialize<TForm>(IReadOnlyList<TForm> forms) where TForm : IOutgoingForm
    {
        var buffer = new ArrayBufferWriter<byte>(forms.Count * 128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            if (!_single)
                w.WriteStartArray();
            foreach (var f in forms)
                f.WriteTo(w);
            if (!_single)
                w.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>Exponential backoff with jitter, so parallel senders do not retry in lockstep.</summary>
    private static TimeSpan Backoff(int attempt)
    {
        var ms = FirstBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxDelay.TotalMilliseconds));
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, MaxDelay.Ticks)) : null;
    }

    private static async Task<string> ShortBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = (await response.Content.ReadAsStringAsync(ct)).ReplaceLineEndings(" ");
        return text.Length <= 400 ? text : text[..400] + "…";
    }

    private static string Describe<TForm>(IReadOnlyList<TForm> forms) where TForm : IOutgoingForm =>
        forms.Count == 1 ? $"form {forms[0].Station}" : $"batch {forms[0].Station}..{forms[forms.Count - 1].Station} ({forms.Count} forms)";

    private void Report(string message)
    {
        var n = Interlocked.Increment(ref _reports);
        if (n <= MaxReports)
            _log(message);
        else if (n == MaxReports + 1)
            _log($"(further problems are counted but not shown)");
    }
}

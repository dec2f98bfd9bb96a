using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Broadcast.Client;

/// <summary>
/// Signs ingest requests as docs/api.md ("Signed requests") describes: HMAC-SHA256, keyed with
/// SHA-256(secret), over <c>broadcast-ingest-v1</c>, the method, the request target (path and
/// query), the timestamp (Unix seconds), the Idempotency-Key and the body's SHA-256, one per line.
/// Written apart from the server's verifier on purpose (the tests sign with this one); the replay
/// tool and any .NET counting app use it from this package.
/// </summary>
public sealed class IngestRequestSigner(string keyId, string secret)
{
    private readonly byte[] _signingKey = SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public string KeyId { get; } = keyId;

    /// <summary>The lower-case hex signature of one request.</summary>
    public string Signature(string method, string target, long timestamp, string idempotencyKey, ReadOnlySpan<byte> body)
    {
        var canonical = string.Join('\n', "broadcast-ingest-v1", method.ToUpperInvariant(), target,
            timestamp.ToString(CultureInfo.InvariantCulture), idempotencyKey, Convert.ToHexStringLower(SHA256.HashData(body)));
        return Convert.ToHexStringLower(HMACSHA256.HashData(_signingKey, Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// Adds the three signature headers to <paramref name="request"/>, whose Idempotency-Key (if
    /// any) is set and whose content is <paramref name="body"/>. Sign every attempt anew: the
    /// server accepts a signature once.
    /// </summary>
    public void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var idempotencyKey = request.Headers.TryGetValues("Idempotency-Key", out var values) ? string.Join(", ", values) : "";
        request.Headers.Remove("Authorization");
        request.Headers.Remove("Broadcast-Key-Id");
        request.Headers.Remove("Broadcast-Timestamp");
        request.Headers.Remove("Broadcast-Signature");
        request.Headers.Add("Broadcast-Key-Id", KeyId);
        request.Headers.Add("Broadcast-Timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Broadcast-Signature", Signature(request.Method.Method, Target(request.RequestUri!), timestamp, idempotencyKey, body));
    }

    /// <summary>The request target HttpClient sends: the escaped path and query (a relative URI is resolved against a root base address).</summary>
    private static string Target(Uri uri) => (uri.IsAbsoluteUri ? uri : new Uri(new Uri("http://localhost/"), uri)).PathAndQuery;
}

/// <summary>Signs every request sent through it (each retry anew, with a fresh timestamp).</summary>
public sealed class IngestSigningHandler(IngestRequestSigner signer, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        signer.Sign(request, body);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != System.Net.HttpStatusCode.Unauthorized || !request.Headers.Contains("Idempotency-Key")) return response;

        // A retry signed in the same second as an earlier attempt has the same signature, which the
        // server refuses as a replay: that attempt reached it. Signed again a second later, the
        // request is new, and its Idempotency-Key answers that attempt's receipt.
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        if (!(await response.Content.ReadAsStringAsync(cancellationToken)).Contains("/problems/signature-replayed", StringComparison.Ordinal))
            return response;
        response.Dispose();
        await Task.Delay(TimeSpan.FromMilliseconds(1010 - DateTimeOffset.UtcNow.Millisecond), cancellationToken);
        signer.Sign(request, body);
        return await base.SendAsync(request, cancellationToken);
    }
}

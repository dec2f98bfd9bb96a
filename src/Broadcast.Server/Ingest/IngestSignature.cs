using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Broadcast.Ingest;

/// <summary>
/// Signed ingest requests (docs/api.md, "Signed requests"). A counting app sends
/// <c>Broadcast-Key-Id</c>, <c>Broadcast-Timestamp</c> (Unix seconds) and
/// <c>Broadcast-Signature</c>: the lower-case hex HMAC-SHA256 of the canonical string, six
/// lines joined by <c>\n</c> with no newline after the last:
/// <code>
/// broadcast-ingest-v1
/// POST
/// /api/v1/forms:batch          (the request target as sent: path and query)
/// 1713340800                   (the timestamp header's value)
/// 3f2a...                      (the Idempotency-Key header, or an empty line)
/// 9c1b...                      (lower-case hex SHA-256 of the body bytes)
/// </code>
/// keyed with the 32 bytes of SHA-256(secret). The server keeps only that hash, never the
/// secret; it is why the hash is never shown by the API. Method, target, timestamp,
/// idempotency key and body cannot be changed without the secret, and the timestamp bounds
/// how long a captured request could be replayed (the store refuses the same signature twice).
/// </summary>
public static class IngestSignature
{
    public const string KeyIdHeader = "Broadcast-Key-Id";
    public const string TimestampHeader = "Broadcast-Timestamp";
    public const string SignatureHeader = "Broadcast-Signature";
    public const string Scheme = "broadcast-ingest-v1";

    /// <summary>The HMAC key a secret signs with: its SHA-256.</summary>
    public static byte[] SigningKey(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>The canonical string, given the body's SHA-256 (<paramref name="bodySha256"/>, 32 bytes).</summary>
    public static string Canonical(string method, string target, long timestamp, string idempotencyKey, ReadOnlySpan<byte> bodySha256) =>
        string.Join('\n', Scheme, method.ToUpperInvariant(), target, timestamp.ToString(CultureInfo.InvariantCulture),
            idempotencyKey, Convert.ToHexStringLower(bodySha256));

    public static byte[] Sign(ReadOnlySpan<byte> signingKey, string method, string target, long timestamp, string idempotencyKey,
        ReadOnlySpan<byte> bodySha256) =>
        HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(Canonical(method, target, timestamp, idempotencyKey, bodySha256)));

    /// <summary>
    /// Whether <paramref name="signature"/> is the request's; compared in constant time. The
    /// body's SHA-256 is the caller's: ingest keeps it with the idempotency key too, so it is
    /// computed once per request.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> signingKey, string method, string target, long timestamp, string idempotencyKey,
        ReadOnlySpan<byte> bodySha256, ReadOnlySpan<byte> signature) =>
        signature.Length == 32 && CryptographicOperations.FixedTimeEquals(Sign(signingKey, method, target, timestamp, idempotencyKey, bodySha256), signature);

    /// <summary>The signature header's 64 hex digits (either case) as bytes, or null.</summary>
    public static byte[]? ParseSignature(string? header)
    {
        if (header is not { Length: 64 } || !header.All(Uri.IsHexDigit)) return null;
        return Convert.FromHexString(header);
    }

    /// <summary>The timestamp header: whole Unix seconds, digits only.</summary>
    public static long? ParseTimestamp(string? header) =>
        header is { Length: > 0 and <= 12 } && header.All(char.IsAsciiDigit) ? long.Parse(header, CultureInfo.InvariantCulture) : null;
}

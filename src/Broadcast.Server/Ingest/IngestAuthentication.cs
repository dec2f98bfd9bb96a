using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Broadcast.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Broadcast.Ingest;

/// <summary>Marks the endpoints that take forms, and so signed requests: the body is read and checked before the endpoint runs.</summary>
public sealed record IngestEndpoint(bool Batch);

/// <summary>A verified signed request: its body (read once, to check the signature), the body's SHA-256, and its signature, for the store's replay check.</summary>
internal sealed record SignedIngestRequest(byte[] Body, byte[] BodySha256, RequestSignature Signature);

/// <summary>
/// Authenticates counting apps by their ingest key, once per request and before the rate
/// limiter, so that the limiter counts per key id however the header is spelled (<c>bearer</c>,
/// <c>BEARER</c>, extra spaces all name one key) and counts failed attempts per client address.
/// Two ways: <c>Authorization: Bearer &lt;secret&gt;</c>, or a signed request
/// (<see cref="IngestSignature"/>), whose body is read here to check it, so that a request
/// with a wrong signature counts as unauthenticated, not against the key it names. A refused
/// request gets its problem+json (unknown key, stale or future timestamp, wrong signature, a key
/// that must sign used as a bearer) from <see cref="HandleChallengeAsync"/>. A replayed signature
/// is refused later, by the store, which alone knows every signature accepted on any node.
/// </summary>
internal sealed class IngestAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IngestKeys keys,
    IOptions<IngestOptions> ingest)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "IngestKey";
    public const string Policy = "ingest";
    private const string RefusalItem = "Broadcast.IngestRefusal";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var endpoint = Context.GetEndpoint()?.Metadata.GetMetadata<IngestEndpoint>();
        if (Request.Headers.ContainsKey(IngestSignature.SignatureHeader) || Request.Headers.ContainsKey(IngestSignature.KeyIdHeader))
            return endpoint is null ? AuthenticateResult.NoResult() : await AuthenticateSignedAsync(endpoint);

        if (keys.Authenticate(Request.Headers.Authorization) is not { } key) return AuthenticateResult.NoResult();
        if (key.RequireSignature)
            return endpoint is null ? AuthenticateResult.NoResult() : Refuse(Problems.SignatureRequired(key.Id), "signature required");
        return Success(key);
    }

    private async Task<AuthenticateResult> AuthenticateSignedAsync(IngestEndpoint endpoint)
    {
        var keyId = Request.Headers[IngestSignature.KeyIdHeader].ToString();
        var timestamp = IngestSignature.ParseTimestamp(Request.Headers[IngestSignature.TimestampHeader].ToString());
        var signature = IngestSignature.ParseSignature(Request.Headers[IngestSignature.SignatureHeader].ToString());
        if (keyId.Length == 0) return Refuse(Problems.MalformedSignature($"{IngestSignature.KeyIdHeader} is missing"), "malformed");
        if (timestamp is null)
            return Refuse(Problems.MalformedSignature($"{IngestSignature.TimestampHeader} must be whole Unix seconds (date +%s)"), "malformed");
        if (signature is null)
            return Refuse(Problems.MalformedSignature($"{IngestSignature.SignatureHeader} must be the 64 hex digits of the HMAC-SHA256"), "malformed");
        // Unknown and revoked keys alike: 401, saying nothing about which.
        if (keys.FindById(keyId) is not { } key) return Refuse(Problems.Unauthorized(), "unknown key");

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var window = (long)ingest.Value.SignatureWindow.TotalSeconds;
        if (timestamp < now - window) return Refuse(Problems.TimestampTooOld(now, window), "timestamp too old");
        if (timestamp > now + window) return Refuse(Problems.TimestampTooNew(now, window), "timestamp too new");

        var limit = endpoint.Batch ? ingest.Value.MaxBatchBytes : ingest.Value.MaxFormBytes;
        var body = await RequestBody.ReadAsync(Request, limit, Context.RequestAborted);
        if (body is null) return Refuse(Problems.TooLarge(limit), "too large");
        var idempotencyKey = Request.Headers["Idempotency-Key"].ToString();
        var digest = SHA256.HashData(body);
        if (!IngestSignature.Verify(key.SigningKey, Request.Method, Target(), timestamp.Value, idempotencyKey, digest, signature))
            return Refuse(Problems.SignatureMismatch(), "signature mismatch");

        // Kept past the window's far end (and then some, for nodes whose clocks differ), after which its timestamp is refused anyway.
        Context.Features.Set(new SignedIngestRequest(body, digest, new RequestSignature(signature, timestamp.Value, 2 * window)));
        return Success(key);
    }

    /// <summary>The request target as the client sent it (path and query), which is what it signed.</summary>
    private string Target() =>
        Context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/' ? raw : Request.GetEncodedPathAndQuery();

    private AuthenticateResult Success(IngestKey key)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, key.Id)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>Unauthenticated, with the answer the challenge gives; <paramref name="why"/> is for the framework's debug log (no secret, no key id).</summary>
    private AuthenticateResult Refuse(IResult problem, string why)
    {
        Context.Items[RefusalItem] = problem;
        return AuthenticateResult.Fail(why);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        (Context.Items[RefusalItem] as IResult ?? Problems.Unauthorized()).ExecuteAsync(Context);

    /// <summary>The key a request authenticated with, if it did.</summary>
    public static string? KeyId(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, AuthenticationType: SchemeName, Name: { } id } ? id : null;

    /// <summary>The body and signature of a request that authenticated by signing, or null (a bearer request).</summary>
    public static SignedIngestRequest? Signed(HttpContext context) => context.Features.Get<SignedIngestRequest>();
}

using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Broadcast.Ingest;

/// <summary>
/// Authenticates counting apps by their ingest key (<c>Authorization: Bearer &lt;secret&gt;</c>),
/// once per request and before the rate limiter, so that the limiter counts per key id however
/// the header is spelled (<c>bearer</c>, <c>BEARER</c>, extra spaces all name one key) and
/// counts failed attempts per client address. A request without a known key gets the 401
/// problem+json from <see cref="HandleChallengeAsync"/>.
/// </summary>
internal sealed class IngestAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IngestKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "IngestKey";
    public const string Policy = "ingest";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (keys.Authenticate(Request.Headers.Authorization) is not { } key) return Task.FromResult(AuthenticateResult.NoResult());
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, key.Id)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.Unauthorized().ExecuteAsync(Context);

    /// <summary>The key a request authenticated with, if it did.</summary>
    public static string? KeyId(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, AuthenticationType: SchemeName, Name: { } id } ? id : null;
}

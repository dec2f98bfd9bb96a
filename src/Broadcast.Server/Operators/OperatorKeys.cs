using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Broadcast.Ingest;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Broadcast.Operators;

public sealed class OperatorOptions
{
    public const string Section = "Operator";

    /// <summary>One credential per operator, so every action says who took it. Only the SHA-256 of each secret is configured.</summary>
    public List<OperatorKeyOptions> Keys { get; set; } = [];

    /// <summary>A single operator's SHA-256 (before operators had their own keys); its id is <c>operator</c>.</summary>
    public string? KeySha256 { get; set; }
}

public sealed class OperatorKeyOptions
{
    /// <summary>Names the operator in the audit trail; never secret.</summary>
    public string Id { get; set; } = "";
    /// <summary>Lower-case hex SHA-256 of the operator's secret.</summary>
    public string SecretSha256 { get; set; } = "";
}

internal sealed class ValidateOperatorOptions : IValidateOptions<OperatorOptions>
{
    public ValidateOptionsResult Validate(string? name, OperatorOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var key = options.Keys[i];
            if (string.IsNullOrWhiteSpace(key.Id) || key.Id.Length > 64 || !key.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                failures.Add($"Operator:Keys:{i}:Id must be 1 to 64 letters, digits, '-', '_' or '.'.");
            if (!IsSha256(key.SecretSha256))
                failures.Add($"Operator:Keys:{i}:SecretSha256 must be the 64 hex digits of the secret's SHA-256 (printf %s \"$SECRET\" | sha256sum).");
        }
        if (options.KeySha256 is { Length: > 0 } single && !IsSha256(single))
            failures.Add("Operator:KeySha256 must be 64 hex digits (printf %s \"$SECRET\" | sha256sum).");
        if (options.Keys.GroupBy(k => k.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            failures.Add($"Operator:Keys has the id '{twice.Key}' twice.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsSha256(string text) => text.Length == 64 && text.All(Uri.IsHexDigit);
}

/// <summary>
/// The operators' credentials, by the SHA-256 of their secrets (never held or compared in the
/// clear): <c>Operator:Keys</c>, the older single <c>Operator:KeySha256</c>, and
/// <c>BROADCAST_OPERATOR_KEY</c> in the environment (local use and tests), both named <c>operator</c>.
/// </summary>
public sealed class OperatorKeys
{
    private readonly Dictionary<string, (byte[] Hash, string Id)> _byHash = new(StringComparer.Ordinal);

    public OperatorKeys(IOptions<OperatorOptions> options, IConfiguration configuration)
    {
        foreach (var key in options.Value.Keys) Add(Convert.FromHexString(key.SecretSha256), key.Id);
        if (options.Value.KeySha256 is { Length: 64 } single) Add(Convert.FromHexString(single), "operator");
        if (configuration["BROADCAST_OPERATOR_KEY"] is { Length: > 0 } secret) Add(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), "operator");
    }

    private void Add(byte[] hash, string id) => _byHash[Convert.ToHexStringLower(hash)] = (hash, id);

    /// <summary>The operator a <c>Bearer</c> secret belongs to, or null.</summary>
    public string? Authenticate(string? authorization) => IngestKeys.Find(_byHash, authorization);
}

/// <summary>
/// Authenticates operators for the endpoints behind <see cref="Policy"/> (route groups require
/// it), so every operator action knows which operator took it (<see cref="OperatorId"/>).
/// </summary>
internal sealed class OperatorAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, OperatorKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Operator";
    public const string Policy = "operator";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (keys.Authenticate(Request.Headers.Authorization) is not { } id) return Task.FromResult(AuthenticateResult.NoResult());
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, id)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => Problems.OperatorOnly().ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => Problems.OperatorOnly().ExecuteAsync(Context);

    /// <summary>The operator a request authenticated as; every endpoint behind the policy has one.</summary>
    public static string OperatorId(HttpContext context) =>
        context.User.Identities.FirstOrDefault(i => i is { IsAuthenticated: true, AuthenticationType: SchemeName })?.Name
        ?? throw new InvalidOperationException("an operator endpoint without the operator policy");
}

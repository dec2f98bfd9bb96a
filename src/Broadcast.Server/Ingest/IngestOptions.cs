using Broadcast.Elections;
using Microsoft.Extensions.Options;

namespace Broadcast.Ingest;

public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>The keys counting apps sign in with. The secret itself is never configured, only its SHA-256.</summary>
    public List<IngestKeyOptions> Keys { get; set; } = [];

    public int MaxBatchForms { get; set; } = 5_000;

    /// <summary>Requests per second one ingest key may make, sustained; bursts up to twice that. Beyond: 429.</summary>
    public int RequestsPerSecondPerKey { get; set; } = 200;

    /// <summary>
    /// Ingest requests per second from one client address without a valid key (bursts up to twice
    /// that). Beyond: 429. Behind a reverse proxy every client shares the proxy's address unless
    /// forwarded headers are configured.
    /// </summary>
    public int UnauthenticatedRequestsPerSecondPerAddress { get; set; } = 5;
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;
    public int MaxFormBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// How far a signed request's timestamp may be from the server's clock, either way. Wide enough
    /// for a phone whose clock is a few minutes off; every accepted signature is remembered for
    /// twice this long, so a replay is refused as seen before or as too old.
    /// </summary>
    public TimeSpan SignatureWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often a node looks for changed ingest keys in the store (one small query). Redis
    /// notices make a change on another node immediate; this bounds it when Redis is down.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class IngestKeyOptions
{
    /// <summary>Names the key in logs and in the store; never secret.</summary>
    public string Id { get; set; } = "";
    /// <summary>Lower-case hex SHA-256 of the secret: <c>printf %s "$SECRET" | sha256sum</c>.</summary>
    public string SecretSha256 { get; set; } = "";
    /// <summary>Contest ids this key may post; empty = all.</summary>
    public string[] Contests { get; set; } = [];
    /// <summary>Region ids whose stations this key may post (a province, a regency...); empty = all.</summary>
    public string[] Regions { get; set; } = [];
    /// <summary>Requests must be signed (docs/api.md, "Signed requests"); the secret as a bearer is refused.</summary>
    public bool RequireSignature { get; set; }
    public bool Revoked { get; set; }
}

internal sealed class ValidateIngestOptions(Election election) : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBatchForms is < 1 or > 100_000) failures.Add("Ingest:MaxBatchForms must be between 1 and 100000.");
        if (options.MaxBatchBytes < 1024 || options.MaxFormBytes < 256) failures.Add("Ingest:MaxBatchBytes / MaxFormBytes are too small.");
        if (options.RequestsPerSecondPerKey < 1) failures.Add("Ingest:RequestsPerSecondPerKey must be at least 1.");
        if (options.UnauthenticatedRequestsPerSecondPerAddress < 1) failures.Add("Ingest:UnauthenticatedRequestsPerSecondPerAddress must be at least 1.");
        if (options.SignatureWindow < TimeSpan.FromSeconds(10) || options.SignatureWindow > TimeSpan.FromHours(1))
            failures.Add("Ingest:SignatureWindow must be between 00:00:10 and 01:00:00 (default 00:05:00: signed requests may be 5 minutes early or late).");
        if (options.KeyRefreshInterval < TimeSpan.FromMilliseconds(100) || options.KeyRefreshInterval > TimeSpan.FromMinutes(1))
            failures.Add("Ingest:KeyRefreshInterval must be between 00:00:00.1 and 00:01:00 (default 00:00:01): it bounds how long a revoked key still works on another node.");
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var key = options.Keys[i];
            var at = $"Ingest:Keys:{i}";
            if (string.IsNullOrWhiteSpace(key.Id)) failures.Add($"{at}:Id is required.");
            if (key.SecretSha256.Length != 64 || !key.SecretSha256.All(Uri.IsHexDigit))
                failures.Add($"{at}:SecretSha256 must be the 64 hex digits of the secret's SHA-256 (printf %s \"$SECRET\" | sha256sum).");
            failures.AddRange(key.Contests.Where(c => election.FindContest(c) is null).Select(c => $"{at}:Contests names unknown contest '{c}'."));
            failures.AddRange(key.Regions.Where(r => election.FindRegion(r) is null).Select(r => $"{at}:Regions names unknown region '{r}'."));
        }
        if (options.Keys.GroupBy(k => k.Id).FirstOrDefault(g => g.Count() > 1) is { } twice)
            failures.Add($"Ingest:Keys has the id '{twice.Key}' twice.");
        if (options.Keys.FirstOrDefault(k => k.Id == IngestKeys.EnvironmentKeyId) is not null)
            failures.Add($"Ingest:Keys: the id '{IngestKeys.EnvironmentKeyId}' names BROADCAST_INGEST_KEY's key; choose another.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// What the id of a key created through the API may be: it is written in the audit trail, in
/// logs and in a signed request's header. (Configured ids are taken as they are, as before.)
/// </summary>
public static class IngestKeyIds
{
    public const string Rule = "1 to 64 letters, digits, '-', '_' or '.'";

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

using System.Security.Cryptography;
using System.Text;
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
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>An authenticated ingest key and what it may post.</summary>
public sealed class IngestKey(string id, IReadOnlySet<string> contests, IReadOnlySet<int> regions)
{
    public string Id { get; } = id;

    public bool Allows(SubmittedForm form, Election election)
    {
        if (contests.Count > 0 && !contests.Contains(form.Contest.Id)) return false;
        if (regions.Count == 0) return true;
        for (var r = election.Stations.Village[form.StationIndex]; r >= 0; r = election.Regions.Parent[r])
            if (regions.Contains(r)) return true;
        return false;
    }
}

/// <summary>
/// Looks up bearer secrets by their SHA-256, so that secrets are never held or compared in the
/// clear. <c>BROADCAST_INGEST_KEY</c> in the environment adds a key "env" allowed everything
/// (local use and tests).
/// </summary>
public sealed class IngestKeys
{
    private readonly Dictionary<string, (byte[] Hash, IngestKey Key)> _byHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IngestKey> _byId = new(StringComparer.Ordinal);

    public IngestKeys(IOptions<IngestOptions> options, Election election, IConfiguration configuration)
    {
        foreach (var key in options.Value.Keys.Where(k => !k.Revoked))
        {
            var regions = key.Regions.Select(r => election.FindRegion(r)!.Value).ToHashSet();
            _byHash[key.SecretSha256.ToLowerInvariant()] = (Convert.FromHexString(key.SecretSha256), new IngestKey(key.Id, key.Contests.ToHashSet(), regions));
        }
        if (configuration["BROADCAST_INGEST_KEY"] is { Length: > 0 } secret)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
            _byHash[Convert.ToHexStringLower(hash)] = (hash, new IngestKey("env", new HashSet<string>(), new HashSet<int>()));
        }
        foreach (var (_, key) in _byHash.Values) _byId[key.Id] = key;
    }

    public int Count => _byHash.Count;

    /// <summary>The key a request authenticated as (<see cref="IngestAuthentication"/>).</summary>
    public IngestKey? FindById(string id) => _byId.GetValueOrDefault(id);

    public IngestKey? Authenticate(string? authorization) => Find(_byHash, authorization);

    /// <summary>Finds the entry for a <c>Bearer</c> secret among <paramref name="byHash"/> (hex SHA-256 → entry).</summary>
    internal static T? Find<T>(Dictionary<string, (byte[] Hash, T Value)> byHash, string? authorization) where T : class
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()));
        return byHash.TryGetValue(Convert.ToHexStringLower(hash), out var entry) && CryptographicOperations.FixedTimeEquals(entry.Hash, hash)
            ? entry.Value
            : null;
    }
}

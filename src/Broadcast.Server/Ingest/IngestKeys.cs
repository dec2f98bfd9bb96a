using System.Security.Cryptography;
using System.Text;
using Broadcast.Elections;
using Broadcast.Storage;
using Microsoft.Extensions.Options;

namespace Broadcast.Ingest;

/// <summary>Where a key comes from: the configuration (read-only through the API) or the store (operators manage it).</summary>
public enum IngestKeySource { Configuration, Store }

/// <summary>An authenticated ingest key and what it may post.</summary>
public sealed class IngestKey
{
    private readonly IReadOnlySet<string> _contests;
    private readonly IReadOnlySet<int> _regions;

    internal IngestKey(string id, IReadOnlySet<string> contests, IReadOnlySet<int> regions, bool requireSignature, byte[] secretSha256,
        IngestKeySource source)
    {
        Id = id;
        _contests = contests;
        _regions = regions;
        RequireSignature = requireSignature;
        SigningKey = secretSha256;
        Source = source;
    }

    public string Id { get; }

    /// <summary>Requests must be signed; the secret as a bearer is refused.</summary>
    public bool RequireSignature { get; }

    public IngestKeySource Source { get; }

    /// <summary>The HMAC key of its signed requests: the SHA-256 of its secret (<see cref="IngestSignature"/>).</summary>
    internal byte[] SigningKey { get; }

    /// <summary>The field that puts <paramref name="form"/> outside this key's scope (<c>contest</c> or <c>station</c>), or null.</summary>
    public string? RefusedField(SubmittedForm form, Election election)
    {
        if (_contests.Count > 0 && !_contests.Contains(form.Contest.Id)) return "contest";
        if (_regions.Count == 0) return null;
        for (var r = election.Stations.Village[form.StationIndex]; r >= 0; r = election.Regions.Parent[r])
            if (_regions.Contains(r)) return null;
        return "station";
    }
}

/// <summary>
/// The ingest keys a node accepts: those of the configuration (<c>Ingest:Keys</c>, and
/// <c>BROADCAST_INGEST_KEY</c> in the environment as a key "env" allowed everything, for local
/// use and tests), fixed for the process's life, and those operators keep in the store, replaced
/// as a whole whenever the store's table changes (<see cref="IngestKeyRefresher"/>). Bearer
/// secrets are looked up by their SHA-256, so secrets are never held or compared in the clear.
/// A configured id wins over a stored key of the same id.
/// </summary>
public sealed partial class IngestKeys
{
    public const string EnvironmentKeyId = "env";

    /// <summary>One consistent set of keys: requests read it once and never see half a change.</summary>
    private sealed record Snapshot(long Version, Dictionary<string, (byte[] Hash, IngestKey Value)> ByHash,
        Dictionary<string, IngestKey> ById, IReadOnlyList<StoredIngestKey> Stored);

    private readonly Election _election;
    private readonly ILogger<IngestKeys> _logger;
    private readonly List<(byte[] Hash, IngestKey Key)> _configured = [];
    private readonly HashSet<string> _warned = [];
    private volatile Snapshot _current;

    public IngestKeys(IOptions<IngestOptions> options, Election election, IConfiguration configuration, ILogger<IngestKeys> logger)
    {
        _election = election;
        _logger = logger;
        foreach (var key in options.Value.Keys)
        {
            if (key.Revoked) continue;
            var regions = key.Regions.Select(r => election.FindRegion(r)!.Value).ToHashSet();
            _configured.Add((Convert.FromHexString(key.SecretSha256),
                new IngestKey(key.Id, key.Contests.ToHashSet(), regions, key.RequireSignature, Convert.FromHexString(key.SecretSha256), IngestKeySource.Configuration)));
        }
        Configured = options.Value.Keys;
        if (configuration["BROADCAST_INGEST_KEY"] is { Length: > 0 } secret)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
            _configured.Add((hash, new IngestKey(EnvironmentKeyId, new HashSet<string>(), new HashSet<int>(), false, hash, IngestKeySource.Configuration)));
            Configured = [.. Configured, new IngestKeyOptions { Id = EnvironmentKeyId }];
        }
        _current = Build(new IngestKeyTable(-1, []));
    }

    /// <summary>The configured keys as configured (revoked ones included; <c>env</c> without its hash).</summary>
    public IReadOnlyList<IngestKeyOptions> Configured { get; }

    /// <summary>The stored table's version this node holds (-1 before the first read).</summary>
    public long Version => _current.Version;

    /// <summary>Every stored key, revoked ones included, as of <see cref="Version"/>.</summary>
    public IReadOnlyList<StoredIngestKey> Stored => _current.Stored;

    public bool IsConfigured(string id) => Configured.Any(k => k.Id == id);

    /// <summary>A live key by its id (a signed request names it; an authenticated request's key).</summary>
    public IngestKey? FindById(string id) => _current.ById.GetValueOrDefault(id);

    /// <summary>The live key a <c>Bearer</c> secret belongs to, or null.</summary>
    public IngestKey? Authenticate(string? authorization) => Find(_current.ByHash, authorization);

    /// <summary>Takes the store's keys as they are now; requests under way keep the set they started with.</summary>
    internal void Replace(IngestKeyTable table) => _current = Build(table);

    private Snapshot Build(IngestKeyTable table)
    {
        var byHash = new Dictionary<string, (byte[] Hash, IngestKey Value)>(StringComparer.Ordinal);
        var byId = new Dictionary<string, IngestKey>(StringComparer.Ordinal);
        foreach (var (hash, key) in _configured)
        {
            byHash[Convert.ToHexStringLower(hash)] = (hash, key);
            byId[key.Id] = key;
        }
        foreach (var stored in table.Keys.Where(k => !k.Revoked))
        {
            if (IsConfigured(stored.Id) || byHash.ContainsKey(Convert.ToHexStringLower(stored.SecretSha256)))
            {
                lock (_warned)
                    if (_warned.Add(stored.Id)) LogShadowed(_logger, stored.Id);
                continue;
            }
            var key = new IngestKey(stored.Id, stored.Contests.ToHashSet(), Regions(stored), stored.RequireSignature, stored.SecretSha256,
                IngestKeySource.Store);
            byHash[Convert.ToHexStringLower(stored.SecretSha256)] = (stored.SecretSha256, key);
            byId[key.Id] = key;
        }
        return new Snapshot(table.Version, byHash, byId, table.Keys);
    }

    /// <summary>
    /// The region indexes of a stored key's scope. A region this election does not have (the key
    /// was made for another) matches no station: an unknown region must narrow a scope, never widen it to all.
    /// </summary>
    private HashSet<int> Regions(StoredIngestKey key)
    {
        var regions = new HashSet<int>();
        foreach (var id in key.Regions) regions.Add(_election.FindRegion(id) ?? -2);
        return regions;
    }

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

    [LoggerMessage(EventId = 210, Level = LogLevel.Warning,
        Message = "The stored ingest key '{KeyId}' has the id or secret of a configured key; the configured one is used, the stored one is ignored")]
    private static partial void LogShadowed(ILogger logger, string keyId);
}

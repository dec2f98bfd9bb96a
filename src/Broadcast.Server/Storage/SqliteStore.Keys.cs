using Microsoft.Data.Sqlite;

namespace Broadcast.Storage;

/// <summary>
/// The ingest keys operators manage, and the signatures already accepted (so a signed request
/// is accepted once, however often it is replayed, even after a restart).
/// </summary>
public sealed partial class SqliteStore
{
    private const string KeySchema = """
        CREATE TABLE IF NOT EXISTS ingest_keys (
            id                TEXT    PRIMARY KEY,
            secret_sha256     BLOB    NOT NULL UNIQUE,  -- never the secret
            contests          TEXT    NOT NULL,         -- comma-separated contest ids; empty = all
            regions           TEXT    NOT NULL,         -- comma-separated region ids; empty = all
            require_signature INTEGER NOT NULL,
            created_at        INTEGER NOT NULL,         -- unix ms
            created_by        TEXT    NOT NULL,         -- the operator
            created_reason    TEXT    NOT NULL,
            revoked_at        INTEGER NULL,
            revoked_by        TEXT    NULL,
            revoked_reason    TEXT    NULL,
            version           INTEGER NOT NULL          -- the table's version when the row last changed
        ) WITHOUT ROWID;
        -- Keyed by the signed timestamp first: inserts land at the end of the tree (random
        -- signatures first would dirty a random page per insert), and pruning is a range delete.
        CREATE TABLE IF NOT EXISTS seen_signatures (
            signed_at  INTEGER NOT NULL,                -- the request's Broadcast-Timestamp, unix seconds
            signature  BLOB    NOT NULL,                -- HMAC-SHA256 of an accepted signed request
            key_id     TEXT    NOT NULL,
            PRIMARY KEY (signed_at, signature)
        ) WITHOUT ROWID;
        """;

    private const string KeyColumns =
        "id, secret_sha256, contests, regions, require_signature, created_at, created_by, created_reason, revoked_at, revoked_by, revoked_reason";

    /// <summary>
    /// The first shape of <c>seen_signatures</c> (keyed by the signature, with keep_until) lived
    /// for one day of development: it is dropped, forgetting at most ten minutes of accepted signatures.
    /// </summary>
    private static void UpgradeSeenSignatures(SqliteConnection connection)
    {
        using var info = connection.CreateCommand();
        info.CommandText = "SELECT 1 FROM pragma_table_info('seen_signatures') WHERE name = 'keep_until'";
        if (info.ExecuteScalar() is not null) Execute(connection, "DROP TABLE seen_signatures");
    }

    /// <summary>Expired signatures are deleted at most once a minute, within an append that brings signatures.</summary>
    private long _pruneSignaturesAtMs;

    private void PruneSignatures(SignatureCommands signatures, IReadOnlyList<AppendRequest> requests, long now)
    {
        if (now < _pruneSignaturesAtMs || requests.FirstOrDefault(r => r.Signature is not null)?.Signature is not { } signature) return;
        signatures.Prune(now / 1000 - signature.KeepSeconds);
        _pruneSignaturesAtMs = now + 60_000;
    }

    /// <summary>The signature statements of one append transaction.</summary>
    private sealed class SignatureCommands(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
    {
        private readonly SqliteCommand _find = Prepare(connection, transaction,
            "SELECT 1 FROM seen_signatures WHERE signed_at = $at AND signature = $sig", "$at", "$sig");
        private readonly SqliteCommand _remember = Prepare(connection, transaction,
            "INSERT INTO seen_signatures (signed_at, signature, key_id) VALUES ($at, $sig, $key)", "$at", "$sig", "$key");

        public void Dispose()
        {
            _find.Dispose(); _remember.Dispose();
        }

        /// <summary>Those of the requests' signatures that were seen before.</summary>
        public HashSet<string> Seen(IReadOnlyList<AppendRequest> requests)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var signature in requests.Select(r => r.Signature).OfType<RequestSignature>())
            {
                _find.Parameters[0].Value = signature.Timestamp;
                _find.Parameters[1].Value = signature.Value;
                if (_find.ExecuteScalar() is not null) seen.Add(AppendPlan.SignatureName(signature.Timestamp, signature.Value));
            }
            return seen;
        }

        public void Remember(List<(string KeyId, RequestSignature Signature)> signatures)
        {
            foreach (var (keyId, signature) in signatures)
            {
                var p = _remember.Parameters;
                p[0].Value = signature.Timestamp; p[1].Value = signature.Value; p[2].Value = keyId;
                _remember.ExecuteNonQuery();
            }
        }

        /// <summary>Forgets the signatures of timestamps before <paramref name="before"/> (unix seconds).</summary>
        public void Prune(long before)
        {
            using var prune = Prepare(connection, transaction, "DELETE FROM seen_signatures WHERE signed_at < $before", "$before");
            prune.Parameters[0].Value = before;
            prune.ExecuteNonQuery();
        }
    }

    public override Task<long> ReadIngestKeysVersionAsync()
    {
        using var connection = Open();
        using var command = Prepare(connection, null, "SELECT COALESCE(MAX(version), 0) FROM ingest_keys");
        return Task.FromResult((long)command.ExecuteScalar()!);
    }

    public override Task<IngestKeyTable> ReadIngestKeysAsync()
    {
        using var connection = Open();
        using var command = Prepare(connection, null, $"SELECT {KeyColumns}, version FROM ingest_keys ORDER BY created_at, id");
        var keys = new List<StoredIngestKey>();
        var version = 0L;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            keys.Add(ReadKey(reader));
            version = Math.Max(version, reader.GetInt64(11));
        }
        return Task.FromResult(new IngestKeyTable(version, keys));
    }

    private static StoredIngestKey ReadKey(SqliteDataReader r) => new(
        r.GetString(0), (byte[])r[1], SplitList(r.GetString(2)), SplitList(r.GetString(3)), r.GetInt64(4) != 0,
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)), r.GetString(6), r.GetString(7),
        r.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
        r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10));

    private static string[] SplitList(string text) => text.Length == 0 ? [] : text.Split(',');

    public override Task<bool> AddIngestKeyAsync(StoredIngestKey key)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var insert = Prepare(connection, transaction, $"""
            INSERT INTO ingest_keys ({KeyColumns}, version)
            SELECT $id, $hash, $contests, $regions, $signed, $at, $by, $reason, NULL, NULL, NULL, COALESCE(MAX(version), 0) + 1 FROM ingest_keys WHERE true
            ON CONFLICT DO NOTHING
            """, "$id", "$hash", "$contests", "$regions", "$signed", "$at", "$by", "$reason");
        var p = insert.Parameters;
        p[0].Value = key.Id; p[1].Value = key.SecretSha256; p[2].Value = string.Join(',', key.Contests); p[3].Value = string.Join(',', key.Regions);
        p[4].Value = key.RequireSignature ? 1 : 0; p[5].Value = key.CreatedAt.ToUnixTimeMilliseconds(); p[6].Value = key.CreatedBy;
        p[7].Value = key.CreatedReason;
        if (insert.ExecuteNonQuery() != 1) return Task.FromResult(false);
        InsertAction(connection, transaction, key.CreatedAt.ToUnixTimeMilliseconds(), key.CreatedBy, "ingest-key-create", key.Summary, key.CreatedReason);
        transaction.Commit();
        return Task.FromResult(true);
    }

    public override Task<bool> ChangeIngestKeyAsync(StoredIngestKey changed, string @operator, string action, string target, string reason)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var update = Prepare(connection, transaction, """
            UPDATE ingest_keys SET contests = $contests, regions = $regions, require_signature = $signed,
                revoked_at = $revokedAt, revoked_by = $revokedBy, revoked_reason = $revokedReason,
                version = (SELECT MAX(version) + 1 FROM ingest_keys)
            WHERE id = $id AND revoked_at IS NULL
            """, "$contests", "$regions", "$signed", "$revokedAt", "$revokedBy", "$revokedReason", "$id");
        var p = update.Parameters;
        p[0].Value = string.Join(',', changed.Contests); p[1].Value = string.Join(',', changed.Regions);
        p[2].Value = changed.RequireSignature ? 1 : 0;
        p[3].Value = (object?)changed.RevokedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value;
        p[4].Value = (object?)changed.RevokedBy ?? DBNull.Value; p[5].Value = (object?)changed.RevokedReason ?? DBNull.Value;
        p[6].Value = changed.Id;
        if (update.ExecuteNonQuery() != 1) return Task.FromResult(false);
        InsertAction(connection, transaction, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), @operator, action, target, reason);
        transaction.Commit();
        return Task.FromResult(true);
    }

    private static void InsertAction(SqliteConnection connection, SqliteTransaction transaction, long at, string @operator, string action,
        string target, string reason)
    {
        using var insert = Prepare(connection, transaction,
            "INSERT INTO operator_actions (at, operator, action, target, reason) VALUES ($at, $operator, $action, $target, $reason)",
            "$at", "$operator", "$action", "$target", "$reason");
        var p = insert.Parameters;
        p[0].Value = at; p[1].Value = @operator; p[2].Value = action; p[3].Value = target; p[4].Value = reason;
        insert.ExecuteNonQuery();
    }
}

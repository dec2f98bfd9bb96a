using Npgsql;
using NpgsqlTypes;

namespace Broadcast.Storage;

/// <summary>
/// The ingest keys operators manage, shared by every node (each polls the table's version), and
/// the signatures already accepted: remembered in the append transaction, under the append
/// lock, so a signed request is accepted once whichever nodes it is replayed to.
/// </summary>
public sealed partial class PostgresStore
{
    /// <summary>
    /// Held by every change to <c>ingest_keys</c>, so versions commit in the order they are given:
    /// a node that has read version n has seen every change up to n. "BroadKey".
    /// </summary>
    private const long KeysLock = 0x42726F61644B6579;

    private const string KeySchema = """
        CREATE TABLE IF NOT EXISTS ingest_keys (
            id                text        PRIMARY KEY,
            secret_sha256     bytea       NOT NULL UNIQUE,  -- never the secret
            contests          text[]      NOT NULL,         -- empty = all
            regions           text[]      NOT NULL,         -- region ids; empty = all
            require_signature boolean     NOT NULL,
            created_at        timestamptz NOT NULL,
            created_by        text        NOT NULL,         -- the operator
            created_reason    text        NOT NULL,
            revoked_at        timestamptz NULL,
            revoked_by        text        NULL,
            revoked_reason    text        NULL,
            version           bigint      NOT NULL);        -- the table's version when the row last changed
        -- Keyed by the signed timestamp first: inserts land at the end of the index (random
        -- signatures first would dirty a random page per insert), and pruning is a range delete.
        -- The first shape (keyed by the signature, with keep_until) lived for one day of
        -- development: it is dropped, forgetting at most ten minutes of accepted signatures.
        DO $$ BEGIN
            IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                       AND table_name = 'seen_signatures' AND column_name = 'keep_until') THEN
                DROP TABLE seen_signatures;
            END IF;
        END $$;
        CREATE TABLE IF NOT EXISTS seen_signatures (
            signed_at bigint NOT NULL,                      -- the request's Broadcast-Timestamp, unix seconds
            signature bytea  NOT NULL,                      -- HMAC-SHA256 of an accepted signed request
            key_id    text   NOT NULL,
            PRIMARY KEY (signed_at, signature));
        """;

    private const string KeyColumns =
        "id, secret_sha256, contests, regions, require_signature, created_at, created_by, created_reason, revoked_at, revoked_by, revoked_reason";

    /// <summary>Expired signatures are deleted at most once a minute per node, within an append that brings signatures.</summary>
    private long _pruneSignaturesAtMs;

    private static async Task<HashSet<string>?> FindSignaturesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<AppendRequest> requests)
    {
        var signatures = requests.Select(r => r.Signature).OfType<RequestSignature>().ToArray();
        if (signatures.Length == 0) return null;
        await using var command = new NpgsqlCommand("""
            SELECT s.signed_at, s.signature FROM unnest(@at, @signatures) AS k(signed_at, signature)
            JOIN seen_signatures s ON s.signed_at = k.signed_at AND s.signature = k.signature
            """, connection, transaction);
        command.Parameters.AddWithValue("at", signatures.Select(s => s.Timestamp).ToArray());
        command.Parameters.AddWithValue("signatures", signatures.Select(s => s.Value).ToArray());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) seen.Add(AppendPlan.SignatureName(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
        return seen;
    }

    private async Task RememberSignaturesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        List<(string KeyId, RequestSignature Signature)> signatures, long now)
    {
        if (signatures.Count == 0) return;
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO seen_signatures (signed_at, signature, key_id) SELECT * FROM unnest(@at, @signatures, @keyIds)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("at", signatures.Select(s => s.Signature.Timestamp).ToArray());
            insert.Parameters.AddWithValue("signatures", signatures.Select(s => s.Signature.Value).ToArray());
            insert.Parameters.AddWithValue("keyIds", signatures.Select(s => s.KeyId).ToArray());
            await insert.ExecuteNonQueryAsync();
        }
        if (now < _pruneSignaturesAtMs) return;
        await using (var prune = new NpgsqlCommand("DELETE FROM seen_signatures WHERE signed_at < @before", connection, transaction))
        {
            prune.Parameters.AddWithValue("before", now / 1000 - signatures[0].Signature.KeepSeconds);
            await prune.ExecuteNonQueryAsync();
        }
        _pruneSignaturesAtMs = now + 60_000;
    }

    public override async Task<long> ReadIngestKeysVersionAsync()
    {
        await using var command = _dataSource.CreateCommand("SELECT COALESCE(MAX(version), 0) FROM ingest_keys");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public override async Task<IngestKeyTable> ReadIngestKeysAsync()
    {
        await using var command = _dataSource.CreateCommand($"SELECT {KeyColumns}, version FROM ingest_keys ORDER BY created_at, id");
        var keys = new List<StoredIngestKey>();
        var version = 0L;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(new StoredIngestKey(reader.GetString(0), reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<string[]>(2),
                reader.GetFieldValue<string[]>(3), reader.GetBoolean(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(6),
                reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10)));
            version = Math.Max(version, reader.GetInt64(11));
        }
        return new IngestKeyTable(version, keys);
    }

    public override async Task<bool> AddIngestKeyAsync(StoredIngestKey key)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await LockKeysAsync(connection, transaction);
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO ingest_keys ({KeyColumns}, version)
            SELECT @id, @hash, @contests, @regions, @signed, @at, @by, @reason, NULL, NULL, NULL, COALESCE(MAX(version), 0) + 1 FROM ingest_keys
            ON CONFLICT DO NOTHING
            """, connection, transaction);
        insert.Parameters.AddWithValue("id", key.Id);
        insert.Parameters.AddWithValue("hash", key.SecretSha256);
        insert.Parameters.AddWithValue("contests", key.Contests.ToArray());
        insert.Parameters.AddWithValue("regions", key.Regions.ToArray());
        insert.Parameters.AddWithValue("signed", key.RequireSignature);
        insert.Parameters.AddWithValue("at", WholeMilliseconds(key.CreatedAt));
        insert.Parameters.AddWithValue("by", key.CreatedBy);
        insert.Parameters.AddWithValue("reason", key.CreatedReason);
        if (await insert.ExecuteNonQueryAsync() != 1) return false;
        await InsertActionAsync(connection, transaction, key.CreatedAt, key.CreatedBy, "ingest-key-create", key.Summary, key.CreatedReason);
        await transaction.CommitAsync();
        return true;
    }

    public override async Task<bool> ChangeIngestKeyAsync(StoredIngestKey changed, string @operator, string action, string target, string reason)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await LockKeysAsync(connection, transaction);
        await using var update = new NpgsqlCommand("""
            UPDATE ingest_keys SET contests = @contests, regions = @regions, require_signature = @signed,
                revoked_at = @revokedAt, revoked_by = @revokedBy, revoked_reason = @revokedReason,
                version = (SELECT MAX(version) + 1 FROM ingest_keys)
            WHERE id = @id AND revoked_at IS NULL
            """, connection, transaction);
        update.Parameters.AddWithValue("contests", changed.Contests.ToArray());
        update.Parameters.AddWithValue("regions", changed.Regions.ToArray());
        update.Parameters.AddWithValue("signed", changed.RequireSignature);
        update.Parameters.Add(new NpgsqlParameter("revokedAt", NpgsqlDbType.TimestampTz) { Value = changed.RevokedAt is { } at ? WholeMilliseconds(at) : DBNull.Value });
        update.Parameters.Add(new NpgsqlParameter("revokedBy", NpgsqlDbType.Text) { Value = (object?)changed.RevokedBy ?? DBNull.Value });
        update.Parameters.Add(new NpgsqlParameter("revokedReason", NpgsqlDbType.Text) { Value = (object?)changed.RevokedReason ?? DBNull.Value });
        update.Parameters.AddWithValue("id", changed.Id);
        if (await update.ExecuteNonQueryAsync() != 1) return false;
        await InsertActionAsync(connection, transaction, DateTimeOffset.UtcNow, @operator, action, target, reason);
        await transaction.CommitAsync();
        return true;
    }

    private static async Task LockKeysAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({KeysLock})", connection, transaction);
        await command.ExecuteNonQueryAsync();
    }

    private static DateTimeOffset WholeMilliseconds(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    private static async Task InsertActionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset at,
        string @operator, string action, string target, string reason)
    {
        await using var insert = new NpgsqlCommand(
            "INSERT INTO operator_actions (at, operator, action, target, reason) VALUES (@at, @operator, @action, @target, @reason)",
            connection, transaction);
        insert.Parameters.AddWithValue("at", WholeMilliseconds(at));
        insert.Parameters.AddWithValue("operator", @operator);
        insert.Parameters.AddWithValue("action", action);
        insert.Parameters.AddWithValue("target", target);
        insert.Parameters.AddWithValue("reason", reason);
        await insert.ExecuteNonQueryAsync();
    }
}

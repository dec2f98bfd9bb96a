using Npgsql;

namespace Broadcast.Storage;

/// <summary>
/// The aggregation side of the PostgreSQL store: the checkpoint row, the totals, what other
/// nodes' runs committed, and the lock that lets one node aggregate at a time.
/// </summary>
public sealed partial class PostgresStore
{
    /// <summary>Held for the length of a node's aggregation runs (<see cref="FormStore.LockAggregationAsync"/>): "Broadagg".</summary>
    private const long AggregationLock = 0x42726F6164616767;

    public override async Task<string> ClaimPurposeAsync(string purpose)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var claim = new NpgsqlCommand(
            "INSERT INTO store_meta (key, value) " +
            "SELECT 'purpose', CASE WHEN EXISTS (SELECT 1 FROM revisions) THEN 'live' ELSE @purpose END ON CONFLICT (key) DO NOTHING; " +
            "SELECT value FROM store_meta WHERE key = 'purpose'", connection);
        claim.Parameters.AddWithValue("purpose", purpose);
        return (string)(await claim.ExecuteScalarAsync())!;
    }

    public override async Task ClearAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Under the append lock, so no append interleaves; seqs go on from where they were.
        await using var clear = new NpgsqlCommand(
            $"SELECT pg_advisory_xact_lock({AppendLock}); " +
            "INSERT INTO store_meta (key, value) SELECT 'cleared_through', COALESCE(MAX(seq), 0)::text FROM revisions " +
            "ON CONFLICT (key) DO UPDATE SET value = GREATEST(store_meta.value::bigint, EXCLUDED.value::bigint)::text; " +
            "DELETE FROM revisions; DELETE FROM idempotency; DELETE FROM totals;",
            connection, transaction);
        await clear.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    public override async Task<long> ReadClearedThroughAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var read = new NpgsqlCommand("SELECT value::bigint FROM store_meta WHERE key = 'cleared_through'", connection);
        return await read.ExecuteScalarAsync() is long value ? value : 0;
    }

    public override async Task<AggregationState> ReadAggregationStateAsync()
    {
        await using (var insert = _dataSource.CreateCommand(
            "INSERT INTO aggregation (id, checkpoint, epoch) VALUES (1, 0, @epoch) ON CONFLICT (id) DO NOTHING"))
        {
            insert.Parameters.AddWithValue("epoch", AggregationState.NewEpoch());
            await insert.ExecuteNonQueryAsync();
        }
        await using var connection = await _dataSource.OpenConnectionAsync();
        return (await ReadStateAsync(connection, null))!;
    }

    /// <summary>The state row, or null before the first <see cref="ReadAggregationStateAsync"/> created it.</summary>
    private static async Task<AggregationState?> ReadStateAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        await using var select = new NpgsqlCommand("SELECT checkpoint, epoch, chain_head FROM aggregation WHERE id = 1", connection, transaction);
        await using var reader = await select.ExecuteReaderAsync();
        return await reader.ReadAsync() ? new AggregationState(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)) : null;
    }

    public override async Task<bool> CommitAggregationAsync(AggregationState expected, AggregationState next,
        IReadOnlyCollection<TotalsRow> totals, bool replaceAll)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // A racing commit blocks on the row, then finds the checkpoint moved and updates nothing.
        await using (var advance = new NpgsqlCommand(
            "UPDATE aggregation SET checkpoint = @next, epoch = @nextEpoch, chain_head = @head WHERE id = 1 AND checkpoint = @expected AND epoch = @epoch",
            connection, transaction))
        {
            advance.Parameters.AddWithValue("next", next.Checkpoint);
            advance.Parameters.AddWithValue("nextEpoch", next.Epoch);
            advance.Parameters.AddWithValue("expected", expected.Checkpoint);
            advance.Parameters.AddWithValue("epoch", expected.Epoch);
            advance.Parameters.AddWithValue("head", next.ChainHead);
            if (await advance.ExecuteNonQueryAsync() != 1)
            {
                await transaction.RollbackAsync();
                return false;
            }
        }
        if (replaceAll)
        {
            await using var clear = new NpgsqlCommand("DELETE FROM totals", connection, transaction);
            await clear.ExecuteNonQueryAsync();
        }
        if (totals.Count > 0)
        {
            // One statement for any number of rows. Votes travel as "1,2" text because unnest
            // would flatten an array of arrays.
            await using var upsert = new NpgsqlCommand("""
                INSERT INTO totals (contest, region, version, reported, quarantined, valid, invalid, votes)
                SELECT c, r, ver, rep, q, val, inv, string_to_array(v, ',')::bigint[]
                FROM unnest(@contests, @regions, @versions, @reported, @quarantined, @valid, @invalid, @votes)
                    AS t(c, r, ver, rep, q, val, inv, v)
                ON CONFLICT (contest, region) DO UPDATE SET version = excluded.version, reported = excluded.reported,
                    quarantined = excluded.quarantined, valid = excluded.valid, invalid = excluded.invalid, votes = excluded.votes
                """, connection, transaction);
            upsert.Parameters.AddWithValue("contests", totals.Select(t => t.Contest).ToArray());
            upsert.Parameters.AddWithValue("regions", totals.Select(t => t.Region).ToArray());
            upsert.Parameters.AddWithValue("versions", totals.Select(t => t.Version).ToArray());
            upsert.Parameters.AddWithValue("reported", totals.Select(t => t.Reported).ToArray());
            upsert.Parameters.AddWithValue("quarantined", totals.Select(t => t.Quarantined).ToArray());
            upsert.Parameters.AddWithValue("valid", totals.Select(t => t.Valid).ToArray());
            upsert.Parameters.AddWithValue("invalid", totals.Select(t => t.Invalid).ToArray());
            upsert.Parameters.AddWithValue("votes", totals.Select(t => string.Join(',', t.Votes)).ToArray());
            await upsert.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
        return true;
    }

    public override async Task<StoredTotals> ReadTotalsAsync()
    {
        await ReadAggregationStateAsync(); // creates the state row on first use
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        var state = (await ReadStateAsync(connection, transaction))!;
        await using var command = new NpgsqlCommand(
            "SELECT contest, region, version, reported, quarantined, valid, invalid, votes FROM totals", connection, transaction);
        var list = new List<TotalsRow>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                list.Add(new TotalsRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetFieldValue<long[]>(7)));
        await transaction.CommitAsync();
        return new StoredTotals(state, list);
    }

    public override async Task<CommittedRuns> ReadCommittedSinceAsync(AggregationState known, int limit)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        // One snapshot for the three reads: a run committing meanwhile must not show its
        // versions without its revisions.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        if (await ReadStateAsync(connection, transaction) is not { } state) return new CommittedRuns(known, [], []);
        if (state == known) return new CommittedRuns(state, [], []);
        if (state.Epoch != known.Epoch || state.Checkpoint < known.Checkpoint || state.Checkpoint - known.Checkpoint > limit)
            return new CommittedRuns(state, null, []);

        await using var revisions = new NpgsqlCommand(
            $"SELECT {RevisionColumns} FROM revisions WHERE seq > @after AND seq <= @upTo ORDER BY seq", connection, transaction);
        revisions.Parameters.AddWithValue("after", known.Checkpoint);
        revisions.Parameters.AddWithValue("upTo", state.Checkpoint);
        var folded = await ReadRevisionsAsync(revisions, (int)Math.Min(limit, state.Checkpoint - known.Checkpoint));

        await using var versions = new NpgsqlCommand("SELECT contest, region, version FROM totals WHERE version > @after", connection, transaction);
        versions.Parameters.AddWithValue("after", known.Checkpoint);
        var changed = new List<GroupVersion>();
        await using (var reader = await versions.ExecuteReaderAsync())
            while (await reader.ReadAsync()) changed.Add(new GroupVersion(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        await transaction.CommitAsync();
        return new CommittedRuns(state, folded, changed);
    }

    public override async Task<IAsyncDisposable?> LockAggregationAsync(bool wait, CancellationToken cancellationToken)
    {
        // A session lock on a connection of its own, held for the runs: released by the unlock
        // below, or by the server when this process dies and the connection drops.
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(wait
                ? $"SELECT pg_advisory_lock({AggregationLock}) IS NULL" // waits; returns void, i.e. NULL
                : $"SELECT pg_try_advisory_lock({AggregationLock})", connection);
            if (await command.ExecuteScalarAsync(cancellationToken) is true) return new HeldLock(connection);
            await connection.DisposeAsync();
            return null;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class HeldLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({AggregationLock})", connection);
                await command.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException)
            {
                // The connection is gone, and the server released the lock with it.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}

using Microsoft.Data.Sqlite;

namespace Broadcast.Storage;

/// <summary>
/// The aggregation side of the SQLite store: the checkpoint row, the totals, what runs committed
/// (one process: nothing to follow, no lock to share), the operator actions, the store's purpose
/// and a rehearsal's reset.
/// </summary>
public sealed partial class SqliteStore
{
    public override Task<string> ClaimPurposeAsync(string purpose)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var claim = Prepare(connection, transaction,
            "INSERT OR IGNORE INTO store_meta (key, value) " +
            "SELECT 'purpose', CASE WHEN EXISTS (SELECT 1 FROM revisions) THEN 'live' ELSE $purpose END", "$purpose");
        claim.Parameters[0].Value = purpose;
        claim.ExecuteNonQuery();
        using var read = Prepare(connection, transaction, "SELECT value FROM store_meta WHERE key = 'purpose'");
        var stored = (string)read.ExecuteScalar()!;
        transaction.Commit();
        return Task.FromResult(stored);
    }

    public override Task ClearAsync()
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var clear = Prepare(connection, transaction, """
            INSERT OR REPLACE INTO store_meta (key, value)
                SELECT 'cleared_through', CAST(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'revisions'), 0) AS TEXT);
            DELETE FROM revisions; DELETE FROM idempotency; DELETE FROM totals;
            """);
        clear.ExecuteNonQuery();
        transaction.Commit();
        return Task.CompletedTask;
    }

    public override Task<long> ReadClearedThroughAsync()
    {
        using var connection = Open();
        using var read = Prepare(connection, null, "SELECT value FROM store_meta WHERE key = 'cleared_through'");
        return Task.FromResult(read.ExecuteScalar() is string value ? long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0L);
    }

    public override Task<AggregationState> ReadAggregationStateAsync()
    {
        using var connection = Open();
        using var insert = Prepare(connection, null,
            "INSERT OR IGNORE INTO aggregation (id, checkpoint, epoch) VALUES (1, 0, $epoch)", "$epoch");
        insert.Parameters[0].Value = AggregationState.NewEpoch();
        insert.ExecuteNonQuery();
        return Task.FromResult(ReadState(connection, null)!);
    }

    /// <summary>The state row, or null before the first <see cref="ReadAggregationStateAsync"/> created it.</summary>
    private static AggregationState? ReadState(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var select = Prepare(connection, transaction, "SELECT checkpoint, epoch, chain_head FROM aggregation WHERE id = 1");
        using var reader = select.ExecuteReader();
        return reader.Read() ? new AggregationState(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)) : null;
    }

    public override Task<bool> CommitAggregationAsync(AggregationState expected, AggregationState next,
        IReadOnlyCollection<TotalsRow> totals, bool replaceAll)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var advance = Prepare(connection, transaction,
            "UPDATE aggregation SET checkpoint = $next, epoch = $nextEpoch, chain_head = $head WHERE id = 1 AND checkpoint = $expected AND epoch = $epoch",
            "$next", "$nextEpoch", "$expected", "$epoch", "$head");
        advance.Parameters[0].Value = next.Checkpoint;
        advance.Parameters[1].Value = next.Epoch;
        advance.Parameters[2].Value = expected.Checkpoint;
        advance.Parameters[3].Value = expected.Epoch;
        advance.Parameters[4].Value = next.ChainHead;
        if (advance.ExecuteNonQuery() != 1) return Task.FromResult(false);

        if (replaceAll)
        {
            using var clear = Prepare(connection, transaction, "DELETE FROM totals");
            clear.ExecuteNonQuery();
        }
        using var upsert = Prepare(connection, transaction, """
            INSERT INTO totals (contest, region, version, reported, quarantined, valid, invalid, votes)
            VALUES ($contest, $region, $version, $reported, $quarantined, $valid, $invalid, $votes)
            ON CONFLICT (contest, region) DO UPDATE SET version = excluded.version, reported = excluded.reported,
                quarantined = excluded.quarantined, valid = excluded.valid, invalid = excluded.invalid, votes = excluded.votes
            """, "$contest", "$region", "$version", "$reported", "$quarantined", "$valid", "$invalid", "$votes");
        var p = upsert.Parameters;
        foreach (var row in totals)
        {
            p[0].Value = row.Contest; p[1].Value = row.Region; p[2].Value = row.Version; p[3].Value = row.Reported;
            p[4].Value = row.Quarantined; p[5].Value = row.Valid; p[6].Value = row.Invalid; p[7].Value = string.Join(',', row.Votes);
            upsert.ExecuteNonQuery();
        }
        transaction.Commit();
        return Task.FromResult(true);
    }

    public override async Task<StoredTotals> ReadTotalsAsync()
    {
        await ReadAggregationStateAsync(); // creates the state row on first use
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: true);
        var state = ReadState(connection, transaction)!;
        using var command = Prepare(connection, transaction,
            "SELECT contest, region, version, reported, quarantined, valid, invalid, votes FROM totals");
        var list = new List<TotalsRow>();
        using (var reader = command.ExecuteReader())
            while (reader.Read())
            {
                var votes = reader.GetString(7);
                list.Add(new TotalsRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6),
                    votes.Length == 0 ? [] : Array.ConvertAll(votes.Split(','), long.Parse)));
            }
        transaction.Commit();
        return new StoredTotals(state, list);
    }

    public override Task<CommittedRuns> ReadCommittedSinceAsync(AggregationState known, int limit)
    {
        using var connection = Open();
        // A read transaction in WAL mode is a snapshot: the three reads agree.
        using var transaction = connection.BeginTransaction(deferred: true);
        if (ReadState(connection, transaction) is not { } state) return Task.FromResult(new CommittedRuns(known, [], []));
        if (state == known) return Task.FromResult(new CommittedRuns(state, [], []));
        if (state.Epoch != known.Epoch || state.Checkpoint < known.Checkpoint || state.Checkpoint - known.Checkpoint > limit)
            return Task.FromResult(new CommittedRuns(state, null, []));

        using var revisions = Prepare(connection, transaction,
            $"SELECT {RevisionColumns} FROM revisions WHERE seq > $after AND seq <= $upTo ORDER BY seq", "$after", "$upTo");
        revisions.Parameters[0].Value = known.Checkpoint;
        revisions.Parameters[1].Value = state.Checkpoint;
        var folded = new List<StoredRevision>();
        using (var reader = revisions.ExecuteReader())
            while (reader.Read()) folded.Add(ReadRevision(reader));

        using var versions = Prepare(connection, transaction, "SELECT contest, region, version FROM totals WHERE version > $after", "$after");
        versions.Parameters[0].Value = known.Checkpoint;
        var changed = new List<GroupVersion>();
        using (var reader = versions.ExecuteReader())
            while (reader.Read()) changed.Add(new GroupVersion(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        transaction.Commit();
        return Task.FromResult(new CommittedRuns(state, folded, changed));
    }

    public override Task<OperatorAction> RecordActionAsync(string @operator, string action, string target, string reason)
    {
        using var connection = Open();
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var insert = Prepare(connection, null,
            "INSERT INTO operator_actions (at, operator, action, target, reason) VALUES ($at, $operator, $action, $target, $reason) RETURNING id",
            "$at", "$operator", "$action", "$target", "$reason");
        insert.Parameters[0].Value = at; insert.Parameters[1].Value = @operator; insert.Parameters[2].Value = action;
        insert.Parameters[3].Value = target; insert.Parameters[4].Value = reason;
        var id = (long)insert.ExecuteScalar()!;
        return Task.FromResult(new OperatorAction(id, DateTimeOffset.FromUnixTimeMilliseconds(at), @operator, action, target, reason));
    }

    public override Task<IReadOnlyList<OperatorAction>> ReadActionsAsync(long afterId, int limit)
    {
        using var connection = Open();
        using var select = Prepare(connection, null,
            "SELECT id, at, operator, action, target, reason FROM operator_actions WHERE id > $after ORDER BY id LIMIT $limit", "$after", "$limit");
        select.Parameters[0].Value = afterId;
        select.Parameters[1].Value = limit;
        var list = new List<OperatorAction>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
            list.Add(new OperatorAction(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetString(5)));
        return Task.FromResult<IReadOnlyList<OperatorAction>>(list);
    }

    /// <summary>The embedded default is one process, whose aggregator already runs one run at a time.</summary>
    public override Task<IAsyncDisposable?> LockAggregationAsync(bool wait, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable?>(NoLock.Instance);

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

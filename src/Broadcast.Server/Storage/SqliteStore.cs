using Microsoft.Data.Sqlite;

namespace Broadcast.Storage;

/// <summary>
/// The source of truth on the embedded default: one SQLite file in WAL mode.
/// Revisions are append-only; <c>seq</c> (the rowid) orders them globally and is what
/// totals versions are made of. Every append batch and every aggregation commit is one
/// transaction, synced to disk before it returns (<c>synchronous=FULL</c>).
/// </summary>
public sealed partial class SqliteStore : FormStore
{
    private readonly string _connectionString;

    public SqliteStore(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        Execute(connection, Schema);
        UpgradeSeenSignatures(connection);
        Execute(connection, KeySchema);
        Execute(connection, HoldSchema);
        Upgrade(connection);
    }

    /// <summary>
    /// A database written before the chain existed gets its columns, and its revisions their
    /// hashes, in seq order, once: from then on the chain covers every revision.
    /// </summary>
    private static void Upgrade(SqliteConnection connection)
    {
        var columns = new HashSet<string>();
        using (var info = connection.CreateCommand())
        {
            info.CommandText = "SELECT name FROM pragma_table_info('revisions')";
            using var reader = info.ExecuteReader();
            while (reader.Read()) columns.Add(reader.GetString(0));
        }
        if (!columns.Contains("reason")) Execute(connection, "ALTER TABLE revisions ADD COLUMN reason TEXT NULL");
        if (!columns.Contains("hash")) Execute(connection, "ALTER TABLE revisions ADD COLUMN hash BLOB NULL");
        using (var info = connection.CreateCommand())
        {
            info.CommandText = "SELECT COUNT(*) FROM pragma_table_info('aggregation') WHERE name = 'chain_head'";
            if ((long)info.ExecuteScalar()! == 0) Execute(connection, "ALTER TABLE aggregation ADD COLUMN chain_head TEXT NOT NULL DEFAULT ''");
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        using var missing = Prepare(connection, transaction, $"SELECT {RevisionColumns} FROM revisions WHERE hash IS NULL ORDER BY seq");
        var rows = new List<StoredRevision>();
        using (var reader = missing.ExecuteReader())
            while (reader.Read()) rows.Add(ReadRevision(reader));
        if (rows.Count == 0) return;
        using var before = Prepare(connection, transaction, "SELECT hash FROM revisions WHERE seq < $seq AND hash IS NOT NULL ORDER BY seq DESC LIMIT 1", "$seq");
        before.Parameters[0].Value = rows[0].Seq;
        var previous = before.ExecuteScalar() as byte[] ?? RevisionChain.Genesis.ToArray();
        using var update = Prepare(connection, transaction, "UPDATE revisions SET hash = $hash WHERE seq = $seq", "$hash", "$seq");
        foreach (var row in rows)
        {
            previous = RevisionChain.Link(previous, row);
            update.Parameters[0].Value = previous;
            update.Parameters[1].Value = row.Seq;
            update.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS revisions (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so versions never repeat
            contest     TEXT    NOT NULL,
            station     TEXT    NOT NULL,
            revision    INTEGER NOT NULL,
            votes       TEXT    NOT NULL,                   -- per choice in ballot order: "508,108"
            valid       INTEGER NOT NULL,
            invalid     INTEGER NOT NULL,
            total       INTEGER NOT NULL,
            status      INTEGER NOT NULL,
            problems    TEXT    NOT NULL,                   -- rule codes: "R1,R3"
            accepts     INTEGER NULL,                       -- the quarantined revision an operator accepted
            key_id      TEXT    NOT NULL,                   -- the submitter: an ingest key id, or operator:<id>
            received_at INTEGER NOT NULL,                   -- unix ms
            reason      TEXT    NULL,                       -- why an operator made it
            hash        BLOB    NULL,                       -- its link in the chain (RevisionChain); set on every row written
            UNIQUE (contest, station, revision));
        CREATE TABLE IF NOT EXISTS idempotency (
            key_id    TEXT NOT NULL,
            idem_key  TEXT NOT NULL,
            body_hash BLOB NOT NULL,
            receipts  TEXT NOT NULL,
            PRIMARY KEY (key_id, idem_key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS totals (
            contest     TEXT    NOT NULL,
            region      TEXT    NOT NULL,
            version     INTEGER NOT NULL,
            reported    INTEGER NOT NULL,
            quarantined INTEGER NOT NULL,
            valid       INTEGER NOT NULL,
            invalid     INTEGER NOT NULL,
            votes       TEXT    NOT NULL,
            PRIMARY KEY (contest, region)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS totals_version ON totals (version);
        CREATE TABLE IF NOT EXISTS operator_actions (
            id       INTEGER PRIMARY KEY AUTOINCREMENT,
            at       INTEGER NOT NULL,                      -- unix ms
            operator TEXT    NOT NULL,
            action   TEXT    NOT NULL,
            target   TEXT    NOT NULL,
            reason   TEXT    NOT NULL);
        CREATE TABLE IF NOT EXISTS store_meta (              -- purpose: live or rehearsal (ClaimPurposeAsync)
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS aggregation (
            id         INTEGER PRIMARY KEY CHECK (id = 1),
            checkpoint INTEGER NOT NULL,
            epoch      TEXT    NOT NULL,
            chain_head TEXT    NOT NULL DEFAULT '');     -- the hash of the revision at checkpoint
        """;

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public override Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<AppendRequest> requests)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var commands = new AppendCommands(connection, transaction);

        var keys = new Dictionary<(string KeyId, string Key), (byte[] Hash, string Receipts)>();
        foreach (var (keyId, key) in requests.Where(r => r.IdempotencyKey is not null).Select(r => (r.KeyId, r.IdempotencyKey!)).Distinct())
            if (commands.FindIdempotent(keyId, key) is { } found) keys[(keyId, key)] = found;
        var latest = new Dictionary<(string Contest, string Station), AppendPlan.Latest>();
        foreach (var (contest, station) in requests.SelectMany(r => r.Forms).Select(f => (f.Contest, f.Station)).Distinct())
            if (commands.Latest(contest, station) is { } r)
                latest[(contest, station)] = new AppendPlan.Latest(r.Revision, r.Numbers, r.Status, r.Problems, r.Seq, null);

        using var signatures = new SignatureCommands(connection, transaction);
        var plan = new AppendPlan(keys, latest, signatures.Seen(requests));
        foreach (var request in requests) plan.Add(request);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // The seqs are given, not left to AUTOINCREMENT, so the chain's hashes (which cover them)
        // are known before the rows are written; this transaction holds the database's write lock.
        var (lastSeq, head) = commands.Head();
        var results = plan.Complete(plan.Rows.Select((_, i) => lastSeq + 1 + i).ToList());
        plan.Chain(head, now);
        foreach (var row in plan.Rows) commands.Insert(row, now);
        foreach (var (keyId, key, hash, receipts) in plan.NewKeys) commands.RememberIdempotent(keyId, key, hash, receipts);
        signatures.Remember(plan.NewSignatures);
        PruneSignatures(signatures, requests, now);
        transaction.Commit();
        return Task.FromResult(results);
    }

    /// <summary>Prepared statements reused for every row of one append transaction.</summary>
    private sealed class AppendCommands(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
    {
        private readonly SqliteCommand _latest = Prepare(connection, transaction,
            "SELECT " + RevisionColumns + " FROM revisions WHERE contest = $contest AND station = $station ORDER BY revision DESC LIMIT 1",
            "$contest", "$station");
        private readonly SqliteCommand _insert = Prepare(connection, transaction, """
            INSERT INTO revisions (seq, contest, station, revision, votes, valid, invalid, total, status, problems, accepts, key_id, received_at, reason, hash)
            VALUES ($seq, $contest, $station, $revision, $votes, $valid, $invalid, $total, $status, $problems, $accepts, $key, $now, $reason, $hash)
            """, "$seq", "$contest", "$station", "$revision", "$votes", "$valid", "$invalid", "$total", "$status", "$problems", "$accepts", "$key", "$now", "$reason", "$hash");
        private readonly SqliteCommand _head = Prepare(connection, transaction, """
            SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'revisions'), (SELECT hash FROM revisions ORDER BY seq DESC LIMIT 1)
            """);
        private readonly SqliteCommand _findKey = Prepare(connection, transaction,
            "SELECT body_hash, receipts FROM idempotency WHERE key_id = $key AND idem_key = $idem", "$key", "$idem");
        private readonly SqliteCommand _rememberKey = Prepare(connection, transaction,
            "INSERT INTO idempotency (key_id, idem_key, body_hash, receipts) VALUES ($key, $idem, $hash, $receipts)",
            "$key", "$idem", "$hash", "$receipts");

        public void Dispose()
        {
            _latest.Dispose(); _insert.Dispose(); _head.Dispose(); _findKey.Dispose(); _rememberKey.Dispose();
        }

        public StoredRevision? Latest(string contest, string station)
        {
            _latest.Parameters[0].Value = contest;
            _latest.Parameters[1].Value = station;
            using var reader = _latest.ExecuteReader();
            return reader.Read() ? ReadRevision(reader) : null;
        }

        /// <summary>The highest seq ever given (AUTOINCREMENT's, so a seq is never reused) and the chain's last hash.</summary>
        public (long LastSeq, byte[] Head) Head()
        {
            using var reader = _head.ExecuteReader();
            reader.Read();
            return (reader.IsDBNull(0) ? 0 : reader.GetInt64(0), reader.IsDBNull(1) ? RevisionChain.Genesis.ToArray() : (byte[])reader[1]);
        }

        public void Insert(AppendPlan.Row row, long now)
        {
            var form = row.Form;
            var p = _insert.Parameters;
            p[0].Value = row.Seq; p[1].Value = form.Contest; p[2].Value = form.Station; p[3].Value = row.Revision;
            p[4].Value = form.Numbers.VotesText; p[5].Value = form.Numbers.Valid; p[6].Value = form.Numbers.Invalid;
            p[7].Value = form.Numbers.Total; p[8].Value = (int)form.Status; p[9].Value = string.Join(',', form.Problems);
            p[10].Value = (object?)form.Accepts ?? DBNull.Value; p[11].Value = row.KeyId; p[12].Value = now;
            p[13].Value = (object?)form.Reason ?? DBNull.Value; p[14].Value = row.Hash;
            _insert.ExecuteNonQuery();
        }

        public (byte[] Hash, string Receipts)? FindIdempotent(string keyId, string key)
        {
            _findKey.Parameters[0].Value = keyId;
            _findKey.Parameters[1].Value = key;
            using var reader = _findKey.ExecuteReader();
            return reader.Read() ? ((byte[])reader[0], reader.GetString(1)) : null;
        }

        public void RememberIdempotent(string keyId, string key, byte[] hash, string receipts)
        {
            var p = _rememberKey.Parameters;
            p[0].Value = keyId; p[1].Value = key; p[2].Value = hash; p[3].Value = receipts;
            _rememberKey.ExecuteNonQuery();
        }
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction? transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        return command;
    }

    private const string RevisionColumns = "seq, contest, station, revision, votes, valid, invalid, total, status, problems, accepts, received_at, key_id, reason, hash";

    private static StoredRevision ReadRevision(SqliteDataReader r)
    {
        var problems = r.GetString(9);
        return new StoredRevision(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3),
            new FormNumbers(FormNumbers.ParseVotes(r.GetString(4)), r.GetInt32(5), r.GetInt32(6), r.GetInt32(7)),
            (FormStatus)r.GetInt32(8), problems.Length == 0 ? [] : problems.Split(','),
            r.IsDBNull(10) ? null : r.GetInt32(10), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
            r.GetString(12), r.IsDBNull(13) ? null : r.GetString(13), r.IsDBNull(14) ? null : (byte[])r[14]);
    }

    public override Task<IReadOnlyList<StoredRevision>> ReadRevisionsAsync(long afterSeq, long upToSeq, int limit)
    {
        using var connection = Open();
        using var command = Prepare(connection, null,
            $"SELECT {RevisionColumns} FROM revisions WHERE seq > $after AND seq <= $upTo ORDER BY seq LIMIT $limit",
            "$after", "$upTo", "$limit");
        command.Parameters[0].Value = afterSeq;
        command.Parameters[1].Value = upToSeq;
        command.Parameters[2].Value = limit;
        var list = new List<StoredRevision>(Math.Min(limit, 100_000));
        using var reader = command.ExecuteReader();
        while (reader.Read()) list.Add(ReadRevision(reader));
        return Task.FromResult<IReadOnlyList<StoredRevision>>(list);
    }

    public override Task<IReadOnlyList<StoredRevision>> ReadRevisionsNewestFirstAsync(long upToSeq, int limit)
    {
        using var connection = Open();
        using var command = Prepare(connection, null,
            $"SELECT {RevisionColumns} FROM revisions WHERE seq <= $upTo ORDER BY seq DESC LIMIT $limit", "$upTo", "$limit");
        command.Parameters[0].Value = upToSeq;
        command.Parameters[1].Value = limit;
        var list = new List<StoredRevision>(Math.Min(limit, 100_000));
        using var reader = command.ExecuteReader();
        while (reader.Read()) list.Add(ReadRevision(reader));
        return Task.FromResult<IReadOnlyList<StoredRevision>>(list);
    }

    public override Task<IReadOnlyList<StoredRevision>> ReadRevisionsAsync(IReadOnlyCollection<long> seqs)
    {
        using var connection = Open();
        // One prepared lookup per seq: primary-key probes in-process cost microseconds each.
        using var command = Prepare(connection, null, $"SELECT {RevisionColumns} FROM revisions WHERE seq = $seq", "$seq");
        var list = new List<StoredRevision>(seqs.Count);
        foreach (var seq in seqs)
        {
            command.Parameters[0].Value = seq;
            using var reader = command.ExecuteReader();
            if (reader.Read()) list.Add(ReadRevision(reader));
        }
        return Task.FromResult<IReadOnlyList<StoredRevision>>(list);
    }

    public override Task<IReadOnlyList<StoredRevision>> ReadStationAsync(string contest, string station)
    {
        using var connection = Open();
        using var command = Prepare(connection, null,
            $"SELECT {RevisionColumns} FROM revisions WHERE contest = $contest AND station = $station ORDER BY revision",
            "$contest", "$station");
        command.Parameters[0].Value = contest;
        command.Parameters[1].Value = station;
        var list = new List<StoredRevision>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) list.Add(ReadRevision(reader));
        return Task.FromResult<IReadOnlyList<StoredRevision>>(list);
    }

    public override Task<long> ReadLastSeqAsync()
    {
        using var connection = Open();
        using var command = Prepare(connection, null, "SELECT COALESCE(MAX(seq), 0) FROM revisions");
        return Task.FromResult((long)command.ExecuteScalar()!);
    }
}

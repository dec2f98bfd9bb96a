using Broadcast.Publication;
using Microsoft.Data.Sqlite;

namespace Broadcast.Storage;

/// <summary>The publication holds in force (<see cref="Holds"/>): one row per held contest and region.</summary>
public sealed partial class SqliteStore
{
    private const string HoldSchema = """
        CREATE TABLE IF NOT EXISTS holds (
            contest  TEXT    NOT NULL,
            region   TEXT    NOT NULL,
            seq      INTEGER NOT NULL,                  -- what viewers see: the totals as of this seq
            since    INTEGER NOT NULL,                  -- unix ms
            operator TEXT    NOT NULL,
            reason   TEXT    NOT NULL,
            PRIMARY KEY (contest, region)) WITHOUT ROWID;
        """;

    public override Task<IReadOnlyList<Hold>> ReadHoldsAsync()
    {
        using var connection = Open();
        using var select = Prepare(connection, null, "SELECT contest, region, seq, since, operator, reason FROM holds ORDER BY since, contest, region");
        using var reader = select.ExecuteReader();
        var holds = new List<Hold>();
        while (reader.Read())
            holds.Add(new Hold(reader.GetString(0), reader.GetString(1), reader.GetInt64(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetString(4), reader.GetString(5)));
        return Task.FromResult<IReadOnlyList<Hold>>(holds);
    }

    public override Task<bool> AddHoldAsync(Hold hold)
    {
        using var connection = Open();
        using var insert = Prepare(connection, null,
            "INSERT OR IGNORE INTO holds (contest, region, seq, since, operator, reason) VALUES ($contest, $region, $seq, $since, $operator, $reason)",
            "$contest", "$region", "$seq", "$since", "$operator", "$reason");
        insert.Parameters[0].Value = hold.Contest;
        insert.Parameters[1].Value = hold.Region;
        insert.Parameters[2].Value = hold.Seq;
        insert.Parameters[3].Value = hold.Since.ToUnixTimeMilliseconds();
        insert.Parameters[4].Value = hold.Operator;
        insert.Parameters[5].Value = hold.Reason;
        return Task.FromResult(insert.ExecuteNonQuery() == 1);
    }

    public override Task<bool> RemoveHoldAsync(string contest, string region)
    {
        using var connection = Open();
        using var delete = Prepare(connection, null, "DELETE FROM holds WHERE contest = $contest AND region = $region", "$contest", "$region");
        delete.Parameters[0].Value = contest;
        delete.Parameters[1].Value = region;
        return Task.FromResult(delete.ExecuteNonQuery() == 1);
    }
}

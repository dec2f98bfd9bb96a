using Broadcast.Publication;
using Npgsql;

namespace Broadcast.Storage;

/// <summary>The publication holds in force (<see cref="Holds"/>), shared by every node.</summary>
public sealed partial class PostgresStore
{
    private const string HoldSchema = """
        CREATE TABLE IF NOT EXISTS holds (
            contest  text        NOT NULL,
            region   text        NOT NULL,
            seq      bigint      NOT NULL,              -- what viewers see: the totals as of this seq
            since    timestamptz NOT NULL,
            operator text        NOT NULL,
            reason   text        NOT NULL,
            PRIMARY KEY (contest, region));
        """;

    public override async Task<IReadOnlyList<Hold>> ReadHoldsAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var select = new NpgsqlCommand("SELECT contest, region, seq, since, operator, reason FROM holds ORDER BY since, contest, region", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var holds = new List<Hold>();
        while (await reader.ReadAsync())
            holds.Add(new Hold(reader.GetString(0), reader.GetString(1), reader.GetInt64(2),
                new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero), reader.GetString(4), reader.GetString(5)));
        return holds;
    }

    public override async Task<bool> AddHoldAsync(Hold hold)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO holds (contest, region, seq, since, operator, reason) VALUES (@contest, @region, @seq, @since, @operator, @reason) " +
            "ON CONFLICT (contest, region) DO NOTHING", connection);
        insert.Parameters.AddWithValue("contest", hold.Contest);
        insert.Parameters.AddWithValue("region", hold.Region);
        insert.Parameters.AddWithValue("seq", hold.Seq);
        insert.Parameters.AddWithValue("since", hold.Since.UtcDateTime);
        insert.Parameters.AddWithValue("operator", hold.Operator);
        insert.Parameters.AddWithValue("reason", hold.Reason);
        return await insert.ExecuteNonQueryAsync() == 1;
    }

    public override async Task<bool> RemoveHoldAsync(string contest, string region)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var delete = new NpgsqlCommand("DELETE FROM holds WHERE contest = @contest AND region = @region", connection);
        delete.Parameters.AddWithValue("contest", contest);
        delete.Parameters.AddWithValue("region", region);
        return await delete.ExecuteNonQueryAsync() == 1;
    }
}

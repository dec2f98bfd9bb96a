using Broadcast.Storage;

namespace Broadcast.IntegrationTests.Storage;

/// <summary>The store contract on a real PostgreSQL server, each test in a database of its own.</summary>
public sealed class PostgresStoreContractTests : StoreContractTests, IAsyncLifetime
{
    private readonly List<(PostgresStore Store, string Database)> _stores = [];

    protected override FormStore CreateEmptyStore()
    {
        var database = PostgresTestServer.CreateDatabaseAsync().GetAwaiter().GetResult();
        var store = new PostgresStore(database);
        _stores.Add((store, database));
        return store;
    }

    protected override FormStore CreateStoreOverFirstShapeOfSeenSignatures()
    {
        var database = PostgresTestServer.CreateDatabaseAsync().GetAwaiter().GetResult();
        using (var connection = new Npgsql.NpgsqlConnection(database))
        {
            connection.Open();
            using var command = new Npgsql.NpgsqlCommand("""
                CREATE TABLE seen_signatures (signature bytea PRIMARY KEY, key_id text NOT NULL, keep_until bigint NOT NULL);
                CREATE INDEX seen_signatures_keep_until ON seen_signatures (keep_until);
                INSERT INTO seen_signatures VALUES ('\x00', 'old', 1);
                """, connection);
            command.ExecuteNonQuery();
        }
        var store = new PostgresStore(database);
        _stores.Add((store, database));
        return store;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (store, database) in _stores)
        {
            await store.DisposeAsync();
            await PostgresTestServer.DropDatabaseAsync(database);
        }
    }
}

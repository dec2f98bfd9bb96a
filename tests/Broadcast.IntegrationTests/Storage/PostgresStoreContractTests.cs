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

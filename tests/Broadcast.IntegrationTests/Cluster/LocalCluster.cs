using System.Diagnostics;
using System.Net.Http.Headers;
using Broadcast.IntegrationTests.Support;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Broadcast.IntegrationTests.Cluster;

/// <summary>
/// The scale-out topology, PostgreSQL + Redis + three nodes as real processes, started and
/// broken by scripts/cluster.sh (the same script an operator uses): one per test run, shared
/// by the cluster tests, which run alone (their faults would disturb other tests' timing).
/// Its ports are free ones and its folder is its own, so two test runs on one machine (two
/// clones, two worktrees) each have a cluster; `down --purge` leaves nothing behind.
/// </summary>
public sealed class LocalCluster : IAsyncLifetime
{
    public const int Nodes = 3;

    /// <summary>Node N listens on this + N; the two ports after the nodes' are PostgreSQL's and Redis's.</summary>
    private readonly int _basePort = FreePorts.Consecutive(Nodes + 2) - 1;
    private int PostgresPort => _basePort + Nodes + 1;
    private int RedisPort => _basePort + Nodes + 2;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"broadcast-cluster-tests-{Guid.NewGuid():N}");

    public static readonly string RepoRoot = FindRepoRoot();

    public string PostgresConnectionString =>
        $"Host=127.0.0.1;Port={PostgresPort};Username=postgres;Database=broadcast_cluster;Pooling=false";

    public Uri Url(int node) => new($"http://127.0.0.1:{_basePort + node}");

    public async Task InitializeAsync() => await RunAsync("up");

    public async Task DisposeAsync() => await RunAsync("down", "--purge");

    /// <summary>Runs <c>scripts/cluster.sh</c> with this cluster's settings; fails the test if it fails.</summary>
    public async Task RunAsync(params string[] arguments)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";
        var start = new ProcessStartInfo(Path.Combine(RepoRoot, "scripts", "cluster.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["CLUSTER_DIR"] = _folder,
                ["CLUSTER_NODES"] = Nodes.ToString(),
                ["CLUSTER_BASE_PORT"] = _basePort.ToString(),
                ["CLUSTER_PG_PORT"] = PostgresPort.ToString(),
                ["CLUSTER_REDIS_PORT"] = RedisPort.ToString(),
                ["CLUSTER_CHANNEL_PREFIX"] = "broadcast-tests",
                ["CLUSTER_SERVER_DLL"] = Path.Combine(RepoRoot, "src", "Broadcast.Server", "bin", configuration, "net10.0", "Broadcast.Server.dll"),
                ["BROADCAST_INGEST_KEY"] = BroadcastFactory.IngestSecret,
                ["BROADCAST_OPERATOR_KEY"] = BroadcastFactory.OperatorSecret,
            },
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"cluster.sh {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}\n{await errors}");
    }

    public HttpClient Ingest(int node) => Client(node, BroadcastFactory.IngestSecret);

    /// <summary>Operator calls wait for a drain on another node to hand back (Aggregator.DrainAsync): a longer timeout.</summary>
    public HttpClient Operator(int node)
    {
        var client = Client(node, BroadcastFactory.OperatorSecret);
        client.Timeout = TimeSpan.FromSeconds(90);
        return client;
    }

    public HttpClient Anonymous(int node) => new() { BaseAddress = Url(node), Timeout = TimeSpan.FromSeconds(10) };

    private HttpClient Client(int node, string secret)
    {
        var client = new HttpClient { BaseAddress = Url(node), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    public HubConnection Hub(int node, string protocol = Protocols.MessagePack)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(Url(node), "/hubs/results"), options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
        });
        if (protocol == Protocols.MessagePack) builder.AddMessagePackProtocol();
        return builder.Build();
    }

    /// <summary>A national viewer on <paramref name="node"/> that, when its node goes away, moves to the next one.</summary>
    public Task<Viewer> ViewerAsync(int node, string region = "0") =>
        Viewer.ConnectAsync(attempt => Hub((node - 1 + attempt) % Nodes + 1), region: region);

    /// <summary>
    /// The national totals summed from scratch over the database, independently of the server's
    /// code: per station, its latest counted revision.
    /// </summary>
    public async Task<(long A, long B, long Reported)> DatabaseTotalsAsync()
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT COALESCE(SUM(votes[1]), 0), COALESCE(SUM(votes[2]), 0), COUNT(*)
            FROM (SELECT DISTINCT ON (station) votes FROM revisions
                  WHERE contest = 'ppwp' AND status = 1 ORDER BY station, revision DESC) latest
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>Stored revisions per station for the given stations (a station posted once must have one).</summary>
    public async Task<Dictionary<string, int>> RevisionCountsAsync(IEnumerable<string> stations)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT station, COUNT(*)::int FROM revisions WHERE station = ANY(@stations) GROUP BY station", connection);
        command.Parameters.AddWithValue("stations", stations.ToArray());
        var counts = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counts[reader.GetString(0)] = reader.GetInt32(1);
        return counts;
    }

    /// <summary>The node whose aggregation run holds the cluster's aggregation lock right now, if any.</summary>
    public async Task<int?> AggregatingNodeAsync()
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted
              AND ((l.classid::bigint << 32) | l.objid::bigint) = x'42726F6164616767'::bigint
            """, connection);
        return await command.ExecuteScalarAsync() is string name && name.StartsWith("broadcast-node-", StringComparison.Ordinal)
            ? int.Parse(name["broadcast-node-".Length..]) : null;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Broadcast.sln"))) return dir.FullName;
        throw new InvalidOperationException("Broadcast.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<LocalCluster>
{
    public const string Name = "cluster";
}

using System.Diagnostics;
using Npgsql;

namespace Broadcast.IntegrationTests.Storage;

/// <summary>
/// The real PostgreSQL server the tests run against: the one named by
/// <c>BROADCAST_TEST_POSTGRES</c> (a connection string; CI sets it), else a throwaway local one
/// started by <c>scripts/start-postgres.sh</c>. Without PostgreSQL the tests fail rather than
/// skip, so a green run always means the PostgreSQL store was exercised.
/// Every test gets its own database (<see cref="CreateDatabaseAsync"/>), dropped afterwards.
/// </summary>
public static class PostgresTestServer
{
    private static readonly Lazy<string> Server = new(Locate);

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = $"broadcast_t_{Guid.NewGuid():N}";
        await using var admin = await OpenAdminAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin))
            await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(Server.Value) { Database = name, Pooling = true }.ToString();
    }

    /// <summary>Drops a database of <see cref="CreateDatabaseAsync"/>, closing whatever still uses it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var admin = await OpenAdminAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<NpgsqlConnection> OpenAdminAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server.Value) { Database = "postgres", Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("BROADCAST_TEST_POSTGRES") is { Length: > 0 } configured) return configured;

        var script = FindScript();
        var start = new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Path.GetDirectoryName(script))!,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{script} did not finish within 2 minutes");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"These tests need a PostgreSQL server. Either set BROADCAST_TEST_POSTGRES to a connection string, or install " +
                $"PostgreSQL (apt-get install postgresql) so that {script} can start one. It said: {errors.Result.Trim()}");
        return output.Result.Trim().Split('\n')[^1].Trim();
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "scripts", "start-postgres.sh");
            if (File.Exists(script)) return script;
        }
        throw new InvalidOperationException(
            $"scripts/start-postgres.sh not found above {AppContext.BaseDirectory}; set BROADCAST_TEST_POSTGRES to a PostgreSQL connection string");
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Broadcast.IntegrationTests.Cluster;

namespace Broadcast.IntegrationTests.Support;

/// <summary>
/// A Broadcast server as a real process (the built <c>Broadcast.Server.dll</c>, as
/// scripts/cluster.sh starts it) on a port and a SQLite file of its own, which a test can kill
/// outright and start again on the same port and file.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public static readonly string Configuration = AppContext.BaseDirectory.Contains("/Release/") ? "Release" : "Debug";

    private readonly StringBuilder _output = new();
    private Process? _process;

    public int Port { get; } = FreePort();
    public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), $"broadcast-process-{Guid.NewGuid():N}.db");
    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>Starts the server and waits until <c>/health/ready</c> answers 200.</summary>
    public async Task StartAsync()
    {
        var dll = Path.Combine(LocalCluster.RepoRoot, "src", "Broadcast.Server", "bin", Configuration, "net10.0", "Broadcast.Server.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["BROADCAST_INGEST_KEY"] = BroadcastFactory.IngestSecret,
                ["BROADCAST_OPERATOR_KEY"] = BroadcastFactory.OperatorSecret,
                ["Storage__SqlitePath"] = DatabasePath,
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        foreach (var argument in new[] { dll, "--urls", Url.ToString().TrimEnd('/'), "--contentRoot", Path.GetDirectoryName(dll)! })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => { lock (_output) _output.AppendLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { lock (_output) _output.AppendLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var probe = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (process.HasExited) throw new InvalidOperationException($"the server exited ({process.ExitCode}):\n{Output}");
            try
            {
                if ((await probe.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { } // not listening yet
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the server was not ready within 3 minutes:\n{Output}");
    }

    /// <summary>Kills the server outright (SIGKILL), as a crash or a pulled plug would.</summary>
    public void Kill()
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public HttpClient Ingest() => Client(BroadcastFactory.IngestSecret);

    public HttpClient Operator() => Client(BroadcastFactory.OperatorSecret);

    private HttpClient Client(string secret)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    /// <summary>The national totals once every form stored so far is folded in.</summary>
    public async Task<Results.ResultsSnapshot> SettledResultsAsync()
    {
        using var op = Operator();
        (await op.PostAsync("/api/v1/operator/aggregate", null)).EnsureSuccessStatusCode();
        return await op.ResultsAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(DatabasePath + suffix);
        return ValueTask.CompletedTask;
    }
}

using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Broadcast.IntegrationTests.Cluster;
using Broadcast.IntegrationTests.Support;

namespace Broadcast.IntegrationTests;

/// <summary>
/// The TV graphics sample (src/Broadcast.Client.Sample.Graphics) as an integrator runs it: a
/// process beside a real server process, keeping a JSON file current through the server's crash.
/// </summary>
public sealed class GraphicsSampleTests
{
    [Fact]
    public async Task TheSampleFollowsTheNationalTotalsThroughAServerRestart()
    {
        await using var server = new ServerProcess();
        await server.StartAsync();
        var folder = Directory.CreateTempSubdirectory("broadcast-sample-").FullName;
        var file = Path.Combine(folder, "results.json");
        var sample = new SampleProcess(server.Url, file);
        try
        {
            using var ingest = server.Ingest();
            for (var i = 0; i < 3; i++) await ingest.PostAsync(Forms.Body(TestStations.Next(), 50 + i, 70));
            var before = await server.SettledResultsAsync();
            await WaitForFileAsync(file, before.Version, sample);

            server.Kill();
            await server.StartAsync(); // the same port and SQLite file
            using var ingestAgain = server.Ingest();
            for (var i = 0; i < 3; i++) await ingestAgain.PostAsync(Forms.Body(TestStations.Next(), 20, 90 + i));
            var after = await server.SettledResultsAsync();
            var written = await WaitForFileAsync(file, after.Version, sample);

            // Every key and value of the server's own graphics feed, but the time each was written.
            using var anonymous = new HttpClient { BaseAddress = server.Url };
            var served = (await anonymous.GetFromJsonAsync<Dictionary<string, JsonElement>>("/api/v1/graphics/ppwp/0"))!;
            Assert.Equal(served.Keys.Order(), written.Keys.Order());
            foreach (var (key, value) in served.Where(pair => pair.Key != "served_at"))
                Assert.True(JsonElement.DeepEquals(value, written[key]), $"{key}: served {value}, written {written[key]}");
            Assert.Equal(after.Votes["01"], written["choice_01_votes"].GetInt64());
            Assert.Equal(after.Stations.Reported, written["stations_reported"].GetInt64());
            Assert.True(after.Stations.Reported > before.Stations.Reported);
            Assert.False(sample.HasExited, sample.Output);
            Assert.Contains("Lost the connection", sample.Output);
        }
        finally
        {
            sample.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The file's values once they reach <paramref name="version"/>. Every read must parse: the file is replaced whole.</summary>
    private static async Task<Dictionary<string, JsonElement>> WaitForFileAsync(string file, long version, SampleProcess sample)
    {
        var deadline = Stopwatch.StartNew();
        Dictionary<string, JsonElement>? values = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Assert.False(sample.HasExited, $"the sample exited:\n{sample.Output}");
            if (File.Exists(file))
            {
                values = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await File.ReadAllBytesAsync(file))!;
                if (values["version"].GetInt64() >= version) return values;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the file stayed at version {values?["version"]}, not {version}:\n{sample.Output}");
    }

    /// <summary>The sample's built dll, run as <c>dotnet broadcast-graphics.dll --server ... --out ...</c>.</summary>
    private sealed class SampleProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public SampleProcess(Uri server, string file)
        {
            var dll = Path.Combine(LocalCluster.RepoRoot, "src", "Broadcast.Client.Sample.Graphics", "bin", ServerProcess.Configuration,
                "net10.0", "broadcast-graphics.dll");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { dll, "--server", server.ToString(), "--out", file }) start.ArgumentList.Add(argument);
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, line) => { lock (_output) _output.AppendLine(line.Data); };
            _process.ErrorDataReceived += (_, line) => { lock (_output) _output.AppendLine(line.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public bool HasExited => _process.HasExited;

        public string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            _process.Dispose();
        }
    }
}

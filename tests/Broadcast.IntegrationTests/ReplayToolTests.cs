using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Broadcast.IntegrationTests.Support;
using Broadcast.Replay;
using Xunit.Abstractions;

namespace Broadcast.IntegrationTests;

/// <summary>
/// The replay tool (src/Broadcast.Replay) run as a process, as an operator runs it, against a
/// real server, on rows of the real 2019 data. Bad forms are the data's: rejected and
/// quarantined forms are reported and the run exits 0; what is unexpected exits 1.
/// </summary>
public sealed class ReplayToolTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>The real Situng typo: 105,200 invalid votes, above the structural limit, so the server refuses the form.</summary>
    private const string TypoStation = "45235.2";

    private readonly string _folder = Directory.CreateTempSubdirectory("broadcast-replay-test-").FullName;

    [Fact]
    public async Task RejectedAndQuarantinedFormsOfTheRealDataAreReportedAndTheReplaySucceeds()
    {
        using var server = new BroadcastFactory();
        var (data, rows) = WriteNight(ordinary: 12, r1: 2, typo: true);

        var run = await ReplayAsync(server, "--data", data, "--batch", "5", "--no-corrections");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(rows, run.Summary!.FormsSent);
        Assert.Equal((1L, 0L), (run.Summary.Rejected, run.Summary.Failed));
        var rejected = Assert.Single(run.Summary.RejectedForms);
        Assert.Equal(TypoStation, rejected.Station);
        Assert.Contains("invalid", rejected.Problem);
        Assert.True(run.Summary.Quarantined >= 2, run.Output);
        Assert.True(run.Summary.Problems.ContainsKey("R1"), run.Output);
        Assert.Equal(rows - 1, run.Summary.Counted + run.Summary.Quarantined); // the typo's batch was resent without it
        Assert.True(run.Summary.Ok);
        Assert.Contains($"{TypoStation}: invalid", run.Output);
        Assert.Contains("result          ok", run.Output);
    }

    [Fact]
    public async Task AnAnswerAboutTheRequestRatherThanItsFormsFailsTheReplay()
    {
        // The tool's batches are larger than this server takes: 413 for every request, no form is at fault.
        using var server = new BroadcastFactory(new() { ["Ingest:MaxBatchBytes"] = "1024" });
        var (data, rows) = WriteNight(ordinary: 30, r1: 0);

        var run = await ReplayAsync(server, "--data", data, "--batch", "30", "--no-corrections");

        Assert.True(run.ExitCode == 1, run.Output);
        Assert.Equal((0L, (long)rows), (run.Summary!.Rejected, run.Summary.Failed));
        Assert.False(run.Summary.Ok);
        Assert.Contains("HTTP 413", run.Output);
        Assert.Contains("result          FAILED", run.Output);
    }

    [Fact]
    public async Task ARefusedIngestKeyAbortsTheReplay()
    {
        using var server = new BroadcastFactory();
        var (data, _) = WriteNight(ordinary: 3, r1: 0);

        var run = await ReplayAsync(server, "--data", data, "--key", "not-the-key");

        Assert.True(run.ExitCode == 1, run.Output);
        Assert.Contains("ingest key refused: HTTP 401", run.Summary!.Aborted);
        Assert.Contains("ABORTED", run.Output);
    }

    private sealed record Run(int ExitCode, string Output, ReplaySummary? Summary);

    private async Task<Run> ReplayAsync(BroadcastFactory server, params string[] arguments)
    {
        var json = Path.Combine(_folder, $"summary-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["BROADCAST_INGEST_KEY"] = BroadcastFactory.IngestSecret },
        };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "Broadcast.Replay.dll"),
                     "--server", server.ServerAddress.ToString(), "--json", json, .. arguments])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var text = $"{await stdout}\n{await stderr}";
        output.WriteLine(text);
        var summary = File.Exists(json) ? JsonSerializer.Deserialize<ReplaySummary>(File.ReadAllText(json), JsonSerializerOptions.Web) : null;
        return new Run(process.ExitCode, text, summary);
    }

    /// <summary>
    /// A tps.csv.gz of real rows: the first <paramref name="ordinary"/> rows whose numbers add up,
    /// the first <paramref name="r1"/> rows whose pair votes do not add up to the valid votes
    /// (quarantined by R1) and, if asked, the typo station's row. Returns the file and its number of Situng forms.
    /// </summary>
    private (string Path, int Rows) WriteNight(int ordinary, int r1, bool typo = false)
    {
        var rows = new List<string>();
        string header;
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(SharedData.TpsFile), CompressionMode.Decompress)))
        {
            header = reader.ReadLine()!;
            var columns = header.Split(',');
            int[] numbers = [.. new[] { "kpu_pas1", "kpu_pas2", "kpu_sah", "kpu_tsah", "kpu_jum" }.Select(c => Array.IndexOf(columns, c))];
            while ((ordinary > 0 || r1 > 0 || typo) && reader.ReadLine() is { } line)
            {
                var f = line.Split(',');
                if (numbers.Any(i => f[i].Length == 0)) continue; // no Situng numbers: the tool sends nothing
                var n = numbers.Select(i => int.Parse(f[i])).ToArray();
                if ($"{f[0]}.{f[1]}" == TypoStation) { if (typo) rows.Add(line); typo = false; }
                else if (n[0] + n[1] != n[2]) { if (r1-- > 0) rows.Add(line); }
                else if (n[2] + n[3] == n[4] && ordinary-- > 0) rows.Add(line);
            }
        }
        var path = Path.Combine(_folder, $"tps-{Guid.NewGuid():N}.csv.gz");
        using (var writer = new StreamWriter(new GZipStream(File.Create(path), CompressionLevel.Fastest)))
        {
            writer.WriteLine(header);
            foreach (var row in rows) writer.WriteLine(row);
        }
        return (path, rows.Count);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

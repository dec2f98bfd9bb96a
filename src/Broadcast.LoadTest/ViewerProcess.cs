using System.Diagnostics;
using System.Text.Json;

namespace Broadcast.LoadTest;

/// <summary>A child generator process holding viewers: started with --role viewers, read line by line from its stdout.</summary>
public sealed class ViewerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task _reader;

    public int Index { get; }
    public ViewerProgress? Progress { get; private set; }
    public ViewerReport? Result { get; private set; }

    private ViewerProcess(int index, Process process)
    {
        Index = index;
        _process = process;
        _reader = ReadAsync();
    }

    /// <summary>Starts the same program again, as `dotnet x.dll` or as its apphost, whichever this one is.</summary>
    public static ViewerProcess Start(int index, string[] args)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            info.ArgumentList.Add(typeof(ViewerProcess).Assembly.Location);
        foreach (var a in args) info.ArgumentList.Add(a);
        return new ViewerProcess(index, Process.Start(info) ?? throw new InvalidOperationException("could not start a viewer process"));
    }

    /// <summary>Waits for the process to print its result and exit; kills it after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _reader;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"loadtest: viewer process {Index} did not finish in time; killed");
            _process.Kill(entireProcessTree: true);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private async Task ReadAsync()
    {
        var output = _process.StandardOutput;
        while (await output.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(ViewerFleet.ProgressPrefix, StringComparison.Ordinal))
                Progress = JsonSerializer.Deserialize(line.AsSpan(ViewerFleet.ProgressPrefix.Length), LoadJson.Default.ViewerProgress);
            else if (line.StartsWith(ViewerFleet.ResultPrefix, StringComparison.Ordinal))
                Result = JsonSerializer.Deserialize(line.AsSpan(ViewerFleet.ResultPrefix.Length), LoadJson.Default.ViewerReport);
            else
                Console.Error.WriteLine($"[viewers {Index}] {line}");
        }
    }
}

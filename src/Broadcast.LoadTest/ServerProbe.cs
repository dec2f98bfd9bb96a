using System.Globalization;

namespace Broadcast.LoadTest;

/// <summary>The server's CPU time (user + system) and resident memory at one moment.</summary>
public readonly record struct ServerSample(double CpuSeconds, long RssKb);

/// <summary>Reads /proc/&lt;pid&gt;: the server runs on the same machine, so no endpoint is needed for this.</summary>
public static class ServerProbe
{
    /// <summary>Linux reports CPU times in USER_HZ ticks, 100 a second on every mainstream kernel build.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>One sample per pid, in order; null when there are no pids or any of them cannot be read.</summary>
    public static ServerSample[]? Read(int[] pids)
    {
        if (pids.Length == 0)
            return null;
        var samples = new ServerSample[pids.Length];
        for (var i = 0; i < pids.Length; i++)
        {
            if (Read(pids[i]) is not { } sample)
                return null;
            samples[i] = sample;
        }
        return samples;
    }

    public static ServerSample? Read(int p)
    {
        try
        {
            // Fields after the command name (which may hold spaces, hence the last ')'): state is field 3,
            // utime 14 and stime 15 (proc(5)).
            var stat = File.ReadAllText($"/proc/{p}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
            var rss = File.ReadLines($"/proc/{p}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            var kb = long.Parse(rss["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return new ServerSample(ticks / TicksPerSecond, kb);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            Console.Error.WriteLine($"loadtest: cannot read /proc/{p}: {e.Message}");
            return null;
        }
    }
}

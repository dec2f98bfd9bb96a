using System.Net;
using System.Net.Sockets;

namespace Broadcast.IntegrationTests.Support;

/// <summary>
/// Ports for servers the tests start as separate processes (cluster nodes, PostgreSQL, Redis,
/// nginx), which must be told their port before they bind it, so that two test runs on one
/// machine never meet. In-process servers bind port 0 instead (<see cref="BroadcastFactory"/>).
/// </summary>
public static class FreePorts
{
    private const int Lowest = 10_000;

    /// <summary>
    /// The first of <paramref name="count"/> consecutive ports that nothing listens on now. They
    /// are below the kernel's ephemeral range, so outgoing connections never take them between
    /// this probe and the server's bind (or while a test restarts that server); another run
    /// takes them only if it probes the same random ports in that window.
    /// </summary>
    public static int Consecutive(int count = 1)
    {
        var highest = Math.Max(EphemeralRangeStart(), 2 * Lowest) - count;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(Lowest, highest);
            if (Enumerable.Range(first, count).All(IsFree)) return first;
        }
        throw new InvalidOperationException($"no {count} consecutive free ports found between {Lowest} and {highest}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Where the kernel starts handing out ports to outgoing connections (Linux; 32768 elsewhere).</summary>
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 32_768;
        }
    }
}

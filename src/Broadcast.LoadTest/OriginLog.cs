using System.Globalization;

namespace Broadcast.LoadTest;

/// <summary>
/// A caching proxy's access log (scripts/load-cdn.sh writes it: <c>$upstream_cache_status $status
/// $upstream_bytes_received $request_uri</c> per line). Created at window start, it notes where the
/// file ends; <see cref="Read"/> at window end counts the lines written in between: every request
/// that was not a cache HIT reached the origin (MISS, EXPIRED, REVALIDATED, UPDATING, BYPASS...).
/// </summary>
public sealed class OriginLog(string path)
{
    public sealed record Counts(long Requests, long Hits, long OriginRequests, long UpstreamBytes);

    private readonly long _start = File.Exists(path) ? new FileInfo(path).Length : 0;

    public Counts Read()
    {
        long requests = 0, hits = 0, origin = 0, bytes = 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var end = stream.Length;
        stream.Seek(_start, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var read = _start;
        while (read < end && reader.ReadLine() is { } line)
        {
            read += line.Length + 1;
            var f = line.Split(' ', 4);
            if (f.Length < 4 || !f[3].StartsWith("/api/v1/results/", StringComparison.Ordinal)) continue;
            requests++;
            if (f[0] == "HIT") { hits++; continue; }
            origin++;
            // Several upstream tries are listed "a, b": the sum.
            foreach (var part in f[2].Split(','))
                if (long.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) bytes += n;
        }
        return new Counts(requests, hits, origin, bytes);
    }
}

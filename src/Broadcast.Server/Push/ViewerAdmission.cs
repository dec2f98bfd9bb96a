using Microsoft.Extensions.Options;

namespace Broadcast.Push;

/// <summary>
/// Keeps a node under the number of sockets it can hold. Every viewer is a file descriptor, and a
/// process that runs out of them fails in ways it does not survive (a load test at 20,000 viewers
/// on a 20,000-file limit ended with the runtime's "Out of memory."). Beyond
/// <see cref="ViewerOptions.MaxConnections"/> a new viewer is answered <c>503</c> with
/// <c>Retry-After</c>: clients back off with jitter and try another node or the HTTP snapshot.
/// Kestrel's own connection limit sits a little higher, as a backstop for everything else.
/// </summary>
public sealed partial class ViewerAdmission(LocalConnections connections, IOptions<ViewerOptions> options, TimeProvider clock,
    ILogger<ViewerAdmission> logger)
{
    /// <summary>Descriptors kept for what is not a viewer: the store, logs, HTTP requests, Redis.</summary>
    public const int Headroom = 2_000;

    private long _lastWarning;

    // Read once: the options and the process's open-file limit do not change while it runs.
    private readonly int _limit = Limit(options.Value);

    /// <summary>The viewers this node takes: the configured number, or the process's open-file limit less <see cref="Headroom"/>.</summary>
    public static int Limit(ViewerOptions viewers) =>
        viewers.MaxConnections > 0 ? viewers.MaxConnections : OpenFileLimit() is { } files ? Math.Max(100, files - Headroom) : int.MaxValue;

    /// <summary>The process's soft limit on open files (Linux <c>/proc/self/limits</c>); null when unknown or unlimited.</summary>
    public static int? OpenFileLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                    return int.TryParse(line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var soft) ? soft : null;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>Middleware in front of the hub: a new connection (negotiate, or a WebSocket without one) over the limit is refused.</summary>
    public Task AdmitAsync(HttpContext context, Func<Task> next)
    {
        var limit = _limit;
        var joining = !context.Request.Query.ContainsKey("id") || context.Request.Path.Value?.EndsWith("/negotiate", StringComparison.Ordinal) == true;
        if (!joining || connections.Count < limit) return next();
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "5";
        var now = clock.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarning);
        if ((last == 0 || clock.GetElapsedTime(last, now) > TimeSpan.FromSeconds(10)) && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
            LogFull(logger, connections.Count, limit);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 430, Level = LogLevel.Warning,
        Message = "This node holds {Viewers} viewers, its limit ({Limit}, Viewers:MaxConnections): new viewers are answered 503 until some leave")]
    private static partial void LogFull(ILogger logger, int viewers, int limit);
}

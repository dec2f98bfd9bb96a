using System.Net;
using Microsoft.AspNetCore.SignalR;

namespace Broadcast.Push;

/// <summary>
/// What the server keeps per viewer connection to decide whether to keep it: when it last heard
/// from the viewer, its call budget, its recent refusals, whether its socket takes our writes,
/// and how to close it. Shared by the connection's middleware (<see cref="ViewerWatch"/>) and
/// the hub filter (<see cref="ViewerCallLimit"/>) through the connection's items.
/// </summary>
internal sealed class ViewerConnection
{
    private static readonly object Key = typeof(ViewerConnection);

    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private long _lastHeard;
    private long _droppedAt;
    private double _tokens = double.NaN;
    private long _tokensStamp;
    private long[] _refusals = [];
    private int _refusalCount;
    private int _refusalNext;

    public ViewerConnection(string connectionId, IPAddress? remote, TimeProvider clock)
    {
        _clock = clock;
        ConnectionId = connectionId;
        Remote = remote?.ToString() ?? "-";
        ConnectedAt = _lastHeard = clock.GetTimestamp();
    }

    public string ConnectionId { get; }

    /// <summary>The peer's address as the server sees it (a proxy's, behind one): what an operator blocks.</summary>
    public string Remote { get; }

    public long ConnectedAt { get; }

    /// <summary>The hub's view of the connection, once the handshake is done: closing it sends a close message first.</summary>
    public HubCallerContext? Caller { get; set; }

    /// <summary>The WebSocket request carrying the connection: aborting it closes the TCP connection at once.</summary>
    public HttpContext? Http { get; init; }

    /// <summary>The watch on the WebSocket's writes; null for the other transports.</summary>
    public SocketWatch? Socket { get; init; }

    public static ViewerConnection Of(HubCallerContext context, TimeProvider clock)
    {
        if (context.Items.TryGetValue(Key, out var value) && value is ViewerConnection viewer) return viewer;
        // A connection that did not come through ViewerWatch (another mapping): limits still apply.
        var created = new ViewerConnection(context.ConnectionId, null, clock);
        context.Items[Key] = created;
        return created;
    }

    public void Attach(IDictionary<object, object?> items) => items[Key] = this;

    /// <summary>The viewer a connection's items hold (<see cref="Attach"/>), if it came through <see cref="ViewerWatch"/>.</summary>
    public static ViewerConnection? From(IDictionary<object, object?> items) =>
        items.TryGetValue(Key, out var value) ? value as ViewerConnection : null;

    /// <summary>Something arrived from the viewer (a message, a ping), or one of its calls started or ended.</summary>
    public void Heard() => Volatile.Write(ref _lastHeard, _clock.GetTimestamp());

    public TimeSpan Silence(long now) => _clock.GetElapsedTime(Volatile.Read(ref _lastHeard), now);

    public bool IsDropped => Volatile.Read(ref _droppedAt) != 0;

    public long DroppedAt => Volatile.Read(ref _droppedAt);

    /// <summary>True for the one caller that gets to drop the connection (and log it).</summary>
    public bool TryMarkDropped() => Interlocked.CompareExchange(ref _droppedAt, _clock.GetTimestamp(), 0) == 0;

    /// <summary>Takes one call from the token bucket: <paramref name="perSecond"/> sustained, bursts of <paramref name="burst"/>.</summary>
    public bool TryTakeCall(double perSecond, int burst)
    {
        lock (_lock)
        {
            var now = _clock.GetTimestamp();
            _tokens = double.IsNaN(_tokens)
                ? burst
                : Math.Min(burst, _tokens + _clock.GetElapsedTime(_tokensStamp, now).TotalSeconds * perSecond);
            _tokensStamp = now;
            if (_tokens < 1) return false;
            _tokens--;
            return true;
        }
    }

    /// <summary>
    /// Records a refused call. Returns how many were refused within <paramref name="window"/> when
    /// that is more than <paramref name="max"/> (the connection is to be closed), else null.
    /// </summary>
    public int? RecordRejection(int max, TimeSpan window)
    {
        lock (_lock)
        {
            var now = _clock.GetTimestamp();
            if (_refusals.Length != max)
            {
                _refusals = new long[max];
                _refusalCount = _refusalNext = 0;
            }
            // The ring holds the last `max` refusals; the oldest of them is the one about to be overwritten.
            var exceeded = _refusalCount == max && _clock.GetElapsedTime(_refusals[_refusalNext], now) <= window;
            _refusals[_refusalNext] = now;
            _refusalNext = (_refusalNext + 1) % max;
            _refusalCount = Math.Min(max, _refusalCount + 1);
            return exceeded ? max + 1 : null;
        }
    }
}

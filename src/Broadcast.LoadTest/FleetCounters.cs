using System.Collections.Concurrent;
using System.Net.WebSockets;

namespace Broadcast.LoadTest;

/// <summary>The rare events of a viewer process (connects, failures, closes), shared by its viewers.</summary>
public sealed class FleetCounters
{
    private long _joined, _left, _connectFailures, _subscribeFailures, _closedByServer, _dropped, _closeMessages, _rebuilt, _unexpected;

    /// <summary>Failure reasons and how often each occurred, for the report (first words of the message only).</summary>
    public ConcurrentDictionary<string, long> Reasons { get; } = new(StringComparer.Ordinal);

    public long Held => Interlocked.Read(ref _joined) - Interlocked.Read(ref _left);
    public long JoinedCount => Interlocked.Read(ref _joined);
    public long ConnectFailures => Interlocked.Read(ref _connectFailures);
    public long SubscribeFailures => Interlocked.Read(ref _subscribeFailures);
    public long ServerCloses => Interlocked.Read(ref _closedByServer);
    public long Drops => Interlocked.Read(ref _dropped);
    public long CloseMessages => Interlocked.Read(ref _closeMessages);
    public long Rebuilds => Interlocked.Read(ref _rebuilt);
    public long UnexpectedMessages => Interlocked.Read(ref _unexpected);

    public void Joined() => Interlocked.Increment(ref _joined);
    public void Left() => Interlocked.Increment(ref _left);
    public void SubscribeFailed() => Interlocked.Increment(ref _subscribeFailures);
    public void CloseMessage() => Interlocked.Increment(ref _closeMessages);
    public void Rebuilt() => Interlocked.Increment(ref _rebuilt);
    public void Unexpected() => Interlocked.Increment(ref _unexpected);

    public void ConnectFailed(Exception e)
    {
        Interlocked.Increment(ref _connectFailures);
        Note("connect: " + e.GetType().Name + ": " + e.Message);
    }

    public void ClosedByServer(WebSocketCloseStatus? status)
    {
        Interlocked.Increment(ref _closedByServer);
        Note($"closed by server: {status}");
    }

    public void Dropped(Exception e)
    {
        Interlocked.Increment(ref _dropped);
        Note("dropped: " + e.GetType().Name + ": " + e.Message);
    }

    private void Note(string reason)
    {
        var key = reason.Length <= 120 ? reason : reason[..120];
        // Bounded: a storm of distinct messages should not grow the report without end.
        if (Reasons.Count < 50 || Reasons.ContainsKey(key))
            Reasons.AddOrUpdate(key, 1, (_, n) => n + 1);
    }
}

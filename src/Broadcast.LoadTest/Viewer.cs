using System.Net.WebSockets;

namespace Broadcast.LoadTest;

public enum ViewerState { Waiting, Connecting, Subscribing, Subscribed, Failed, Closed }

/// <summary>
/// One viewer: a WebSocket on the hub, negotiation skipped, MessagePack protocol, one subscription
/// (<c>Subscribe</c>, or <c>SubscribeWith</c> for a view). It holds a small slice of a shared
/// receive slab and a few counters; messages are decoded in place, and a message larger than the
/// slice is read for its head only (the version sits in its first hundred bytes) and the rest
/// discarded as it streams by. Its audience's counters take each update's size and kind.
/// </summary>
public sealed class Viewer(Uri hub, byte[] subscribe, Memory<byte> buffer, Schedule schedule, FleetCounters counters, bool probe,
    AudienceStats audience, string group, bool bare, GroupState? verify = null)
{
    /// <summary>Bytes of a too-large message kept for decoding: enough for a delta's contest, region, epoch and versions.</summary>
    private const int HeadBytes = 384;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    private ClientWebSocket? _ws;
    private int _filled;   // bytes of the slice holding an incomplete message
    private long _skip;    // bytes still to discard of a message read for its head only
    private long _lastVersion = -1;
    private long _readAllowedAt; // a throttled reader's next read, a Schedule timestamp

    public ViewerState State { get; private set; } = ViewerState.Waiting;
    /// <summary>Updates received since connecting (the progress line); the window's frames, gaps and stale frames are counted by the audience.</summary>
    public long Deliveries;

    /// <summary>(version, timestamp) of each update received, for probes only: the latency is matched on these.</summary>
    public List<long>? Arrivals { get; } = probe ? new List<long>(2048) : null;

    public AudienceStats Audience => audience;
    public string Group => group;
    /// <summary>A verifying viewer's group as it applied it (--verify); null for the others.</summary>
    public GroupState? Verify => verify;

    /// <summary>Set before the generator closes its sockets, so that those closes are not counted as drops.</summary>
    public bool Stopping { get; set; }

    /// <summary>Connects, subscribes and reads until the connection ends; never throws.</summary>
    public async Task RunAsync(HttpMessageInvoker invoker, SemaphoreSlim connecting)
    {
        var ws = new ClientWebSocket();
        // SignalR pings (sent by the fleet) keep both ends alive; WebSocket pings would double the traffic.
        ws.Options.KeepAliveInterval = TimeSpan.Zero;
        _ws = ws;
        State = ViewerState.Connecting;
        await connecting.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(ConnectTimeout);
            await ws.ConnectAsync(hub, invoker, timeout.Token);
            await ws.SendAsync(HubFrames.Handshake, WebSocketMessageType.Text, true, timeout.Token);
            await ReadHandshakeAsync(ws, timeout.Token);
            State = ViewerState.Subscribing;
            await ws.SendAsync(subscribe, WebSocketMessageType.Binary, true, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException or IOException or InvalidDataException)
        {
            counters.ConnectFailed(e);
            State = ViewerState.Failed;
            ws.Dispose();
            return;
        }
        finally
        {
            connecting.Release();
        }
        await ReceiveAsync(ws);
    }

    /// <summary>Sends a SignalR ping: the server drops a client it has not heard from for 30 s.</summary>
    public async Task PingAsync()
    {
        if (State != ViewerState.Subscribed || _ws is not { State: WebSocketState.Open } ws)
            return;
        try
        {
            await ws.SendAsync(HubFrames.Ping, WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            // The receive loop sees the same failure and counts it.
        }
    }

    /// <summary>Starts the closing handshake; the receive loop ends when the server answers it.</summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        Stopping = true;
        if (_ws is not { State: WebSocketState.Open or WebSocketState.CloseReceived } ws)
            return;
        try
        {
            await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, ct);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            ws.Abort();
        }
    }

    public void Abort() => _ws?.Abort();

    private async Task ReadHandshakeAsync(ClientWebSocket ws, CancellationToken ct)
    {
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer[_filled..], ct);
            if (result.MessageType == WebSocketMessageType.Close)
                throw new InvalidDataException($"closed during the handshake: {ws.CloseStatus} {ws.CloseStatusDescription}");
            _filled += result.Count;
            var end = buffer.Span[.._filled].IndexOf((byte)0x1e);
            if (end < 0)
            {
                if (_filled == buffer.Length)
                    throw new InvalidDataException("handshake answer larger than the receive buffer");
                continue;
            }
            // "{}" is success; anything else is {"error": "..."}.
            if (end != 2)
                throw new InvalidDataException("handshake refused: " + System.Text.Encoding.UTF8.GetString(buffer.Span[..end]));
            var rest = _filled - end - 1;
            buffer.Span.Slice(end + 1, rest).CopyTo(buffer.Span);
            _filled = rest;
            return;
        }
    }

    private async Task ReceiveAsync(ClientWebSocket ws)
    {
        try
        {
            if (_filled > 0)
                Consume(_filled);
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer[_filled..], CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (!Stopping)
                        counters.ClosedByServer(ws.CloseStatus);
                    break;
                }
                Consume(_filled + result.Count);
                if (audience.Audience.ReadBytesPerSecond is { } rate)
                    await ThrottleAsync(result.Count, rate);
            }
        }
        // OperationCanceledException: Abort() (the close timed out) cancels the pending receive.
        catch (Exception e) when (e is WebSocketException or IOException or InvalidDataException or ObjectDisposedException or OperationCanceledException)
        {
            if (!Stopping)
                counters.Dropped(e);
        }
        finally
        {
            if (State == ViewerState.Subscribed)
            {
                counters.Left();
                audience.Left();
            }
            State = ViewerState.Closed;
            ws.Dispose();
        }
    }

    /// <summary>A slow viewer: reads no faster than <paramref name="rate"/> bytes a second on average.</summary>
    private async Task ThrottleAsync(int read, double rate)
    {
        var now = Schedule.Now;
        _readAllowedAt = Math.Max(_readAllowedAt, now) + (long)(read / rate * System.Diagnostics.Stopwatch.Frequency);
        if (Schedule.Seconds(_readAllowedAt - now) > 0.005)
            await Schedule.UntilAsync(_readAllowedAt);
    }

    /// <summary>Handles every complete message in buffer[..end] (and the head of a too-large one); keeps the rest.</summary>
    private void Consume(int end)
    {
        var span = buffer.Span;
        var pos = 0;
        if (_skip > 0)
        {
            pos = (int)Math.Min(_skip, end);
            _skip -= pos;
        }
        while (pos < end && HubFrames.TryReadLength(span[pos..end], out var length, out var prefix))
        {
            var start = pos + prefix;
            var available = end - start;
            if (available >= length)
            {
                var message = buffer.Slice(start, length);
                var frame = HubFrames.Parse(message);
                if (verify is not null) Verifying(frame, message);
                OnMessage(frame, prefix + length);
                pos = start + length;
                continue;
            }
            if (prefix + length <= buffer.Length || available < HeadBytes)
                break; // fits once the slice is compacted, or the head is not all here yet
            verify?.Break($"a message of {length} B, larger than the receive buffer");
            OnMessage(HubFrames.Parse(buffer.Slice(start, available)), prefix + length);
            _skip = length - available;
            pos = end;
        }
        span[pos..end].CopyTo(span);
        _filled = end - pos;
    }

    private void Verifying(HubFrame frame, ReadOnlyMemory<byte> message)
    {
        if (frame.Kind == FrameKind.Completion && State == ViewerState.Subscribing && frame.ResultKind == 3) verify!.OnSnapshot(message);
        else if (frame.Kind == FrameKind.Update) verify!.OnUpdate(message, frame.Update);
        else if (frame.Kind == FrameKind.Rebuilt) verify!.Break("totals rebuilt");
    }

    private void OnMessage(HubFrame frame, int bytes)
    {
        switch (frame.Kind)
        {
            case FrameKind.Update:
                OnUpdate(frame, bytes);
                break;
            case FrameKind.Completion when State == ViewerState.Subscribing:
                if (frame.ResultKind == 3)
                {
                    State = ViewerState.Subscribed;
                    _lastVersion = bare ? -1 : frame.Version;
                    counters.Joined();
                    audience.Joined();
                }
                else
                {
                    counters.SubscribeFailed();
                    State = ViewerState.Failed;
                }
                break;
            case FrameKind.Rebuilt:
                _lastVersion = -1; // versions restart under the new epoch
                counters.Rebuilt();
                break;
            case FrameKind.Close:
                counters.CloseMessage();
                break;
            case FrameKind.Unreadable or FrameKind.Other or FrameKind.OtherInvocation:
                counters.Unexpected();
                break;
        }
    }

    private void OnUpdate(HubFrame frame, int bytes)
    {
        var now = Schedule.Now;
        Deliveries++;
        audience.Update(frame.Update, bytes, now);
        if (frame.Version < 0)
            return;
        if (bare && schedule.InWindow(now))
            audience.BareLatency.Record(Schedule.Micros(now - frame.Version)); // the bare hub's version is its send timestamp
        if (_lastVersion >= 0)
        {
            // docs/api.md, "Applying deltas": a frame at or below the held version is a duplicate;
            // one whose prevVersion is past it leaves a gap; one that starts before it and ends after
            // it (a conflated SubscribeWith frame) is whole from the held version on.
            if (frame.Version <= _lastVersion) audience.StaleFrame();
            else if (frame.PrevVersion > _lastVersion) audience.Gap();
            else if (frame.PrevVersion < _lastVersion) audience.Overlap();
        }
        _lastVersion = Math.Max(_lastVersion, frame.Version);
        if (Arrivals is { } arrivals)
        {
            arrivals.Add(frame.Version);
            arrivals.Add(now);
        }
    }
}

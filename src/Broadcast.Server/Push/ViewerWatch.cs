using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Broadcast.Push;

/// <summary>
/// Drops viewer connections that are no longer viewers, which SignalR alone keeps:
/// <list type="bullet">
/// <item>Idle: nothing arrived for <see cref="ViewerOptions.IdleTimeout"/>. SignalR's own client
/// timeout only starts once a client has sent its first ping, so a client that never pings was
/// kept for ever.</item>
/// <item>Stopped reading: a write to its WebSocket has waited <see cref="ViewerOptions.SendTimeout"/>.
/// Until then the socket's buffers take what is sent (the kernel's grows to a few MB), so a
/// viewer that stops reading is only noticed once they are full. SignalR's transport send
/// timeout (set a little longer, as a backstop) would end it too, but without a word.</item>
/// </list>
/// Both are checked on SignalR's per-connection heartbeat (every second), so a drop comes at
/// most a second after its timeout. A dropped connection's TCP connection is aborted (the
/// viewer, if alive, sees a lost connection and reconnects) and the drop is logged with its reason.
/// </summary>
internal sealed class ViewerWatch
{
    private readonly IOptions<ViewerOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ViewerDrops _drops;

    public ViewerWatch(IOptions<ViewerOptions> options, TimeProvider clock, ViewerDrops drops)
    {
        _options = options;
        _clock = clock;
        _drops = drops;
    }

    private static readonly object SocketKey = typeof(SocketWatch);

    /// <summary>How long a connection closed gracefully (an abusive one) may take before its TCP connection is aborted.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    /// <summary>HTTP middleware on the hub's path: puts a watch on the stream under a WebSocket upgrade.</summary>
    public Task WatchSocket(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            var watch = new SocketWatch(_clock);
            context.Features.Set<IHttpUpgradeFeature>(new WatchedUpgrade(upgrade, watch));
            context.Items[SocketKey] = watch;
        }
        return next(context);
    }

    /// <summary>Connection middleware in front of the hub: notes every read from the viewer and watches the connection.</summary>
    public async Task WatchConnection(ConnectionContext connection, ConnectionDelegate next)
    {
        var http = connection.GetHttpContext();
        var socket = http?.Items.TryGetValue(SocketKey, out var value) == true ? value as SocketWatch : null;
        var viewer = new ViewerConnection(connection.ConnectionId, http?.Connection.RemoteIpAddress, _clock)
        {
            // Only a WebSocket's request lives as long as the connection; long polling's are copies.
            Http = socket is null ? null : http,
            Socket = socket,
        };
        viewer.Attach(connection.Items);
        connection.Transport = new HeardPipe(connection.Transport, viewer);
        var state = new Watched(this, viewer, connection);
        connection.Features.Get<IConnectionHeartbeatFeature>()?.OnHeartbeat(static s => ((Watched)s).Tick(), state);
        try
        {
            await next(connection);
        }
        finally
        {
            state.Ended = true;
        }
    }

    private sealed class Watched(ViewerWatch watch, ViewerConnection viewer, ConnectionContext connection)
    {
        private bool _forced;

        public volatile bool Ended;

        public void Tick()
        {
            var limits = watch._options.Value;
            var now = watch._clock.GetTimestamp();
            if (viewer.IsDropped)
            {
                // Dropped but still here (a graceful close the viewer does not take, a transport
                // stuck on a send): cut the TCP connection.
                if (!_forced && watch._clock.GetElapsedTime(viewer.DroppedAt, now) >= CloseGrace)
                {
                    _forced = true;
                    Abort(viewer, connection);
                }
                return;
            }
            // A socket stuck on a send keeps the connection (its transport waits on that send)
            // even after the hub is done with it, so it is watched until it goes.
            if (viewer.Socket?.Waiting(now) is { } waited && waited >= limits.SendTimeout)
            {
                watch._drops.Drop(viewer, DropReason.StoppedReading,
                    $"a send to it has waited {waited.TotalSeconds:0.#} s (Viewers:SendTimeout is {limits.SendTimeout.TotalSeconds:0.#} s) after {viewer.Socket.BytesWritten} bytes sent",
                    connection);
            }
            else if (!Ended && viewer.Silence(now) is var silence && silence >= limits.IdleTimeout)
            {
                watch._drops.Drop(viewer, DropReason.Idle,
                    $"nothing received for {silence.TotalSeconds:0.#} s (Viewers:IdleTimeout is {limits.IdleTimeout.TotalSeconds:0.#} s)",
                    connection);
            }
        }
    }

    /// <summary>Closes the connection without a goodbye: the TCP connection of a WebSocket, else the hub connection.</summary>
    internal static void Abort(ViewerConnection viewer, ConnectionContext? connection)
    {
        viewer.Caller?.Abort();
        if (viewer.Http is { } http) http.Abort();
        else connection?.Abort();
    }

    /// <summary>The connection's pipe with a reader that notes when something arrived from the viewer.</summary>
    private sealed class HeardPipe(IDuplexPipe inner, ViewerConnection viewer) : IDuplexPipe
    {
        public PipeReader Input { get; } = new HeardReader(inner.Input, viewer);
        public PipeWriter Output => inner.Output;
    }

    private sealed class HeardReader(PipeReader inner, ViewerConnection viewer) : PipeReader
    {
        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);
        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);
        public override void CancelPendingRead() => inner.CancelPendingRead();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result)) return false;
            Saw(result);
            return true;
        }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var read = inner.ReadAsync(cancellationToken);
            if (!read.IsCompletedSuccessfully) return Awaited(read);
            var result = read.Result;
            Saw(result);
            return new ValueTask<ReadResult>(result);
        }

        private async ValueTask<ReadResult> Awaited(ValueTask<ReadResult> read)
        {
            var result = await read;
            Saw(result);
            return result;
        }

        // The hub examines everything it reads, so a read completes only when more bytes came.
        private void Saw(ReadResult result)
        {
            if (!result.IsCanceled && !result.Buffer.IsEmpty) viewer.Heard();
        }
    }
}

/// <summary>
/// The writes to one WebSocket's stream: how many bytes the server handed to the socket, and
/// since when the current write has been waiting (the socket's buffers are full: the viewer is
/// not reading).
/// </summary>
internal sealed class SocketWatch(TimeProvider clock)
{
    private long _waitingSince;
    private long _written;

    public long BytesWritten => Interlocked.Read(ref _written);

    /// <summary>How long the pending write has waited, or null when none is waiting.</summary>
    public TimeSpan? Waiting(long now) => Volatile.Read(ref _waitingSince) is var since and not 0 ? clock.GetElapsedTime(since, now) : null;

    public ValueTask Track(ValueTask write, int bytes)
    {
        if (write.IsCompletedSuccessfully)
        {
            write.GetAwaiter().GetResult();
            Interlocked.Add(ref _written, bytes);
            return default;
        }
        return Awaited(write, bytes);
    }

    private async ValueTask Awaited(ValueTask write, int bytes)
    {
        // A WebSocket sends one frame at a time, so there is at most one write waiting.
        Interlocked.CompareExchange(ref _waitingSince, clock.GetTimestamp(), 0);
        try
        {
            await write;
            Interlocked.Add(ref _written, bytes);
        }
        finally
        {
            Volatile.Write(ref _waitingSince, 0);
        }
    }
}

internal sealed class WatchedUpgrade(IHttpUpgradeFeature inner, SocketWatch watch) : IHttpUpgradeFeature
{
    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync() => new WatchedStream(await inner.UpgradeAsync(), watch);
}

/// <summary>The upgraded (WebSocket) stream, its writes timed by a <see cref="SocketWatch"/>.</summary>
internal sealed class WatchedStream(Stream inner, SocketWatch watch) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        watch.Track(inner.WriteAsync(buffer, cancellationToken), buffer.Length);

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => watch.Track(new ValueTask(inner.FlushAsync(cancellationToken)), 0).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}

using System.Net;
using System.Net.Sockets;

namespace Broadcast.LoadTest;

/// <summary>
/// Bytes read from and written to the sockets of one audience, as they cross the socket (TCP
/// payload: HTTP headers, WebSocket frame headers and all; not the TCP/IP headers, which user
/// space does not see). Only bytes that cross inside the measured window are counted, unless
/// no schedule is given.
/// </summary>
public sealed class WireCounter(Schedule? schedule)
{
    private long _read, _written;

    public long Read => Interlocked.Read(ref _read);
    public long Written => Interlocked.Read(ref _written);

    public void CountRead(int n)
    {
        if (n > 0 && (schedule is null || schedule.InWindow(Schedule.Now))) Interlocked.Add(ref _read, n);
    }

    public void CountWritten(int n)
    {
        if (n > 0 && (schedule is null || schedule.InWindow(Schedule.Now))) Interlocked.Add(ref _written, n);
    }

    /// <summary>
    /// A handler whose connections are dialled from <paramref name="bind"/> (when given) and counted
    /// into <paramref name="counter"/>. Each (source, destination) address pair has its own ~28k
    /// ephemeral ports.
    /// </summary>
    public static SocketsHttpHandler Handler(IPAddress? bind, WireCounter counter, int maxConnectionsPerServer = int.MaxValue) => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        MaxConnectionsPerServer = maxConnectionsPerServer,
        PooledConnectionLifetime = TimeSpan.FromMinutes(30),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = bind is null
                ? new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
                : new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (bind is not null)
                {
                    // IP_BIND_ADDRESS_NO_PORT: choose the port at connect time, per destination, not at bind time for all.
                    socket.SetRawSocketOption(0 /* SOL_IP */, 24 /* IP_BIND_ADDRESS_NO_PORT */, BitConverter.GetBytes(1));
                    socket.Bind(new IPEndPoint(bind, 0));
                }
                var host = context.DnsEndPoint;
                EndPoint target = IPAddress.TryParse(host.Host, out var ip) ? new IPEndPoint(ip, host.Port) : host;
                await socket.ConnectAsync(target, ct);
                return new CountingStream(new NetworkStream(socket, ownsSocket: true), counter);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

/// <summary>A socket's stream that counts what crosses it.</summary>
public sealed class CountingStream(Stream inner, WireCounter counter) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        counter.CountRead(n);
        return n;
    }

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        counter.CountRead(n);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        counter.CountRead(n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        counter.CountWritten(count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        counter.CountWritten(buffer.Length);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        counter.CountWritten(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}

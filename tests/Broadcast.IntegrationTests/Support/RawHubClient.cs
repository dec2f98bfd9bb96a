using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Broadcast.IntegrationTests.Support;

/// <summary>
/// A hand-rolled SignalR client over a plain WebSocket, speaking the JSON hub protocol
/// (<c>{"protocol":"json","version":1}</c> + 0x1E, then one JSON object per 0x1E-terminated
/// record). Unlike the real client it sends nothing on its own (no pings) and reads only when
/// told to, so a test can play an idle or a stuck viewer. Its TCP receive buffer can be made
/// small, so that a client that stops reading stalls the server's sends quickly.
/// </summary>
public sealed class RawHubClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;
    private readonly StringBuilder _pending = new();
    private readonly Queue<JsonElement> _messages = new();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _nextInvocation;

    private RawHubClient(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        _socket = socket;
        _invoker = invoker;
    }

    /// <summary>Bytes of hub messages read so far.</summary>
    public long BytesReceived { get; private set; }

    public WebSocketState State => _socket.State;

    public static async Task<RawHubClient> ConnectAsync(Uri server, int? receiveBufferBytes = null, CancellationToken cancellationToken = default)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                // Before connecting, so the window the client advertises is small from the start.
                if (receiveBufferBytes is { } size) socket.ReceiveBufferSize = size;
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = TimeSpan.Zero; // no WebSocket pings or pongs of its own either
        var uri = new UriBuilder(new Uri(server, "/hubs/results")) { Scheme = "ws" }.Uri;
        await ws.ConnectAsync(uri, invoker, cancellationToken);
        var client = new RawHubClient(ws, invoker);
        await client.SendAsync("""{"protocol":"json","version":1}""", cancellationToken);
        var handshake = await client.ReceiveAsync(cancellationToken);
        if (handshake is not { } answer || answer.TryGetProperty("error", out _))
            throw new InvalidOperationException($"handshake failed: {handshake}");
        return client;
    }

    public Task SendAsync(string json, CancellationToken cancellationToken = default) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>Sends an invocation (type 1) and returns its invocation id.</summary>
    public async Task<string> InvokeAsync(string target, params object?[] arguments)
    {
        var id = (++_nextInvocation).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments }));
        return id;
    }

    /// <summary>The next hub message, or null once the server closed the connection (gracefully or not).</summary>
    public async Task<JsonElement?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (_messages.Count == 0)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(_buffer, cancellationToken);
            }
            catch (WebSocketException)
            {
                return null; // reset or aborted by the server
            }
            if (result.MessageType == WebSocketMessageType.Close) return null;
            BytesReceived += result.Count;
            _pending.Append(Encoding.UTF8.GetString(_buffer, 0, result.Count));
            var text = _pending.ToString();
            var end = text.LastIndexOf(RecordSeparator);
            if (end < 0) continue;
            foreach (var record in text[..end].Split(RecordSeparator))
                _messages.Enqueue(JsonDocument.Parse(record).RootElement.Clone());
            _pending.Clear().Append(text[(end + 1)..]);
        }
        return _messages.Dequeue();
    }

    /// <summary>Reads until the completion of <paramref name="invocationId"/> (returned), skipping other messages.</summary>
    public async Task<JsonElement> CompletionAsync(string invocationId, CancellationToken cancellationToken = default)
    {
        while (await ReceiveAsync(cancellationToken) is { } message)
            if (message.GetProperty("type").GetInt32() == 3 && message.GetProperty("invocationId").GetString() == invocationId)
                return message;
        throw new InvalidOperationException($"connection closed before the completion of invocation {invocationId}");
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        _invoker.Dispose();
        await Task.CompletedTask;
    }
}

using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.Extensions.Logging;

namespace Broadcast.Client;

/// <summary>What a feed follows (docs/api.md, "Say what you need: SubscribeWith").</summary>
public enum FeedView
{
    /// <summary>Totals, children (regions or stations), a dapil's candidates and every seat detail.</summary>
    Full,
    /// <summary>Totals and seats (total, won, threshold) only: a few hundred bytes a frame, whatever the group. Tickers, lower thirds.</summary>
    Headline,
}

/// <summary>The hub protocol. Both carry the same shapes; MessagePack frames are smaller.</summary>
public enum BroadcastProtocol
{
    MessagePack,
    Json,
}

/// <summary>Settings of a <see cref="BroadcastClient"/>; the defaults suit a screen that must never freeze.</summary>
public sealed class BroadcastClientOptions
{
    public BroadcastProtocol Protocol { get; set; } = BroadcastProtocol.MessagePack;

    /// <summary>
    /// The first delay before connecting again after the connection was lost or could not be made;
    /// each further try doubles it up to <see cref="MaxReconnectDelay"/>. Each delay is drawn from
    /// its upper half at random, so that the viewers a server lost at once do not all come back at
    /// once. There is no last try: the client reconnects for as long as it is not disposed.
    /// </summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest delay between tries (a screen shows results again soon after the server is back).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the client says that it lost, regained or could not make its connection, and why; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Settings of the underlying SignalR connection: transports (WebSockets by default, then
    /// Server-Sent Events or long polling where a proxy blocks them; Server-Sent Events carry JSON
    /// only), a proxy, headers.
    /// </summary>
    public Action<HttpConnectionOptions>? ConfigureConnection { get; set; }
}

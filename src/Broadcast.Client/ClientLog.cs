using Microsoft.Extensions.Logging;

namespace Broadcast.Client;

internal static partial class ClientLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Connected to {Hub}")]
    public static partial void Connected(ILogger logger, Uri hub);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Cannot connect to {Hub} ({Reason}); trying again in {Delay:0.0} s")]
    public static partial void ConnectFailed(ILogger logger, Uri hub, string reason, double delay);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Lost the connection to {Hub} ({Reason}); reconnecting")]
    public static partial void ConnectionLost(ILogger logger, Uri hub, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Call} of {Contest} {Region} failed ({Reason}); trying again in {Delay:0.0} s")]
    public static partial void CallFailed(ILogger logger, string call, string contest, string region, string reason, double delay);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "A Changed handler of {Contest} {Region} threw")]
    public static partial void HandlerFailed(ILogger logger, string contest, string region, Exception error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Handling a {Message} failed")]
    public static partial void Unexpected(ILogger logger, string message, Exception error);
}

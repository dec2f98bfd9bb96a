using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Broadcast.Push;

/// <summary>Why a hub call was refused, as a metric tag and a log field (never the caller's own text).</summary>
public static class Rejections
{
    public const string Rate = "rate";
    public const string UnknownGroup = "unknown-group";
    public const string TooManyGroups = "too-many-groups";
    public const string Closing = "closing";
    public const string BadOptions = "bad-options";

    private const string DataKey = "broadcast.rejection";

    /// <summary>A refusal the viewer sees as the call's error; <paramref name="reason"/> is one of the constants above.</summary>
    public static HubException Refuse(string reason, string message)
    {
        var refusal = new HubException(message);
        refusal.Data[DataKey] = reason;
        return refusal;
    }

    /// <summary>The reason of a refusal made with <see cref="Refuse"/>; null for any other HubException (SignalR's, a library's).</summary>
    public static string? ReasonOf(HubException exception) => exception.Data[DataKey] as string;
}

/// <summary>
/// The one filter every viewer call goes through. A token bucket per connection: a viewer
/// calling in a loop gets errors, not our CPU. It also owns what is logged about hub calls:
/// SignalR's dispatcher would log each refused call at Error with a stack trace (its category is
/// turned off in <see cref="PushSetup"/>), so refusals (made with <see cref="Rejections.Refuse"/>)
/// are counted and logged here at Debug, without the caller's text, and every other failure is
/// logged at Error with its exception, as the dispatcher did. A connection refused more than
/// <see cref="ViewerOptions.MaxRejectedCalls"/> times within <see cref="ViewerOptions.RejectionWindow"/>
/// is closed, with one Warning.
/// </summary>
internal sealed partial class ViewerCallLimit(IOptions<ViewerOptions> options, TimeProvider clock, ViewerDrops drops,
    ILogger<ViewerCallLimit> logger) : IHubFilter
{
    public const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ViewerConnection.Of(context.Context, clock).Caller = context.Context;
        return next(context);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var limits = options.Value;
        var viewer = ViewerConnection.Of(context.Context, clock);
        viewer.Caller ??= context.Context;
        var method = context.HubMethodName;
        viewer.Heard();
        try
        {
            // Refused before any work: a closing connection, or one over its call rate.
            if (viewer.IsDropped) throw Rejections.Refuse(Rejections.Closing, "This connection is being closed.");
            if (!viewer.TryTakeCall(limits.CallsPerSecond, limits.CallBurst)) throw Rejections.Refuse(Rejections.Rate, "Too many calls; slow down.");
            return await next(context);
        }
        catch (HubException refusal) when (Rejections.ReasonOf(refusal) is { } reason)
        {
            drops.Rejected(reason);
            LogRejected(logger, method, context.Context.ConnectionId, reason);
            if (!viewer.IsDropped && viewer.RecordRejection(limits.MaxRejectedCalls, limits.RejectionWindow) is { } count)
                drops.Drop(viewer, DropReason.Abusive,
                    $"{count} calls refused within {limits.RejectionWindow.TotalSeconds:0.#} s (Viewers:MaxRejectedCalls is {limits.MaxRejectedCalls}), the last for {reason}");
            throw;
        }
        catch (OperationCanceledException) when (context.Context.ConnectionAborted.IsCancellationRequested)
        {
            throw; // the connection went away during the call: nothing went wrong here
        }
        catch (Exception e)
        {
            LogCallFailed(logger, method, e);
            throw;
        }
        finally
        {
            viewer.Heard(); // a long call is not silence
        }
    }

    [LoggerMessage(EventId = 420, Level = LogLevel.Debug, Message = "Refused {Method} from viewer {ConnectionId}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string method, string connectionId, string reason);

    [LoggerMessage(EventId = 421, Level = LogLevel.Error, Message = "Hub method {Method} failed")]
    private static partial void LogCallFailed(ILogger logger, string method, Exception exception);
}

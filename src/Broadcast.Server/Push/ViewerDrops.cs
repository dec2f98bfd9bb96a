using System.Diagnostics.Metrics;
using Broadcast.Health;
using Microsoft.AspNetCore.Connections;

namespace Broadcast.Push;

internal enum DropReason { Idle, StoppedReading, Abusive }

/// <summary>
/// Closes viewer connections the server gives up on, counts them and says why, once per
/// connection: at Warning for an abusive one (calls refused too often), at Information for
/// an idle one or one that stopped reading (on an election night, phones lose their network
/// all the time). The lines are capped at <see cref="LinesPerSecond"/> a second, so that many
/// viewers going at once (a proxy restarting) cannot flood the log; the metrics
/// <c>broadcast.hub.drops</c> and <c>broadcast.hub.rejections</c> count everything.
/// </summary>
internal sealed partial class ViewerDrops
{
    public const int LinesPerSecond = 20;

    private readonly TimeProvider _clock;
    private readonly ILogger<ViewerDrops> _logger;
    private readonly Counter<long> _drops;
    private readonly Counter<long> _rejections;
    private readonly Lock _lock = new();
    private long _windowStart;
    private int _linesInWindow;
    private int _unlogged;

    public ViewerDrops(IMeterFactory meters, TimeProvider clock, ILogger<ViewerDrops> logger)
    {
        _clock = clock;
        _logger = logger;
        var meter = meters.Create(BroadcastMetrics.MeterName);
        _drops = meter.CreateCounter<long>("broadcast.hub.drops", "{connection}",
            "Viewer connections the server closed, by reason: idle, stopped-reading, abusive");
        _rejections = meter.CreateCounter<long>("broadcast.hub.rejections", "{call}",
            "Hub calls refused, by reason: rate, unknown-group, too-many-groups, closing");
    }

    public void Rejected(string reason) => _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>
    /// Drops the viewer (once; later calls do nothing). An abusive viewer is closed gracefully
    /// (a close message that forbids reconnecting); the others lose their TCP connection at once,
    /// since they are not listening anyway.
    /// </summary>
    public void Drop(ViewerConnection viewer, DropReason reason, string detail, ConnectionContext? connection = null)
    {
        if (!viewer.TryMarkDropped()) return;
        _drops.Add(1, new KeyValuePair<string, object?>("reason", Tag(reason)));
        if (TakeLine(out var unlogged))
        {
            if (unlogged > 0) LogUnlogged(_logger, unlogged, LinesPerSecond);
            var connected = _clock.GetElapsedTime(viewer.ConnectedAt).TotalSeconds;
            switch (reason)
            {
                case DropReason.Abusive: LogAbusive(_logger, viewer.ConnectionId, viewer.Remote, connected, detail); break;
                case DropReason.Idle: LogIdle(_logger, viewer.ConnectionId, viewer.Remote, connected, detail); break;
                default: LogStoppedReading(_logger, viewer.ConnectionId, viewer.Remote, connected, detail); break;
            }
        }
        if (reason == DropReason.Abusive) viewer.Caller?.Abort(); // its heartbeat cuts the TCP connection if that does not close it
        else ViewerWatch.Abort(viewer, connection);
    }

    private static string Tag(DropReason reason) => reason switch
    {
        DropReason.Idle => "idle",
        DropReason.StoppedReading => "stopped-reading",
        _ => "abusive",
    };

    private bool TakeLine(out int unlogged)
    {
        lock (_lock)
        {
            var now = _clock.GetTimestamp();
            if (_clock.GetElapsedTime(_windowStart, now) >= TimeSpan.FromSeconds(1))
            {
                _windowStart = now;
                _linesInWindow = 0;
            }
            if (_linesInWindow >= LinesPerSecond)
            {
                _unlogged++;
                unlogged = 0;
                return false;
            }
            _linesInWindow++;
            unlogged = _unlogged;
            _unlogged = 0;
            return true;
        }
    }

    [LoggerMessage(EventId = 422, Level = LogLevel.Warning,
        Message = "Closed viewer connection {ConnectionId} from {Remote} after {ConnectedSeconds:0.#} s, abusive: {Detail}")]
    private static partial void LogAbusive(ILogger logger, string connectionId, string remote, double connectedSeconds, string detail);

    [LoggerMessage(EventId = 423, Level = LogLevel.Information,
        Message = "Dropped viewer connection {ConnectionId} from {Remote} after {ConnectedSeconds:0.#} s, idle: {Detail}")]
    private static partial void LogIdle(ILogger logger, string connectionId, string remote, double connectedSeconds, string detail);

    [LoggerMessage(EventId = 424, Level = LogLevel.Information,
        Message = "Dropped viewer connection {ConnectionId} from {Remote} after {ConnectedSeconds:0.#} s, stopped reading: {Detail}")]
    private static partial void LogStoppedReading(ILogger logger, string connectionId, string remote, double connectedSeconds, string detail);

    [LoggerMessage(EventId = 425, Level = LogLevel.Information,
        Message = "{Unlogged} more viewer connections were dropped without a line each (at most {PerSecond} lines a second; see broadcast.hub.drops)")]
    private static partial void LogUnlogged(ILogger logger, int unlogged, int perSecond);
}

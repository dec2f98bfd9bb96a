using Broadcast.Elections;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR;

namespace Broadcast.Push;

/// <summary>What a subscription receives: today's full <c>TotalsChanged</c>, or <c>SubscribeWith</c>'s lean <c>Delta</c> or <c>Headline</c>.</summary>
public enum FollowView : byte { Legacy, Full, Headline }

/// <summary>
/// One connection following one group: the version it holds (what the server last sent it, or
/// its snapshot's), and whether it may be sent more now. Owned by <see cref="Fanout"/>'s loop;
/// nothing else touches it after it is handed over.
/// </summary>
internal sealed class Follower(HubConnectionContext connection, ResultsGroup group, string name, FollowView view, int periodMs,
    string epoch, long held)
{
    public HubConnectionContext Connection { get; } = connection;
    public ResultsGroup Group { get; } = group;
    /// <summary>The group's name (<see cref="GroupNames"/>).</summary>
    public string Name { get; } = name;
    public FollowView View { get; } = view;
    /// <summary>The least time between two frames, in ms, on a clock grid shared by every follower at that rate; 0: every run.</summary>
    public int PeriodMs { get; } = periodMs;
    public string Epoch { get; } = epoch;
    /// <summary>The version this viewer holds: every frame sent it starts here.</summary>
    public long Held { get; set; } = held;
    /// <summary>A write to it has not drained yet: nothing more is sent until it has (conflation).</summary>
    public bool Busy { get; set; }
    /// <summary>The group moved past <see cref="Held"/> and this viewer has not been sent it yet.</summary>
    public bool Due { get; set; }
    /// <summary>When a rate-capped follower may be sent its next frame (Unix ms on the grid).</summary>
    public long NextAllowedMs { get; set; }
    public bool Removed { get; set; }

    public string ConnectionId => Connection.ConnectionId;
}

using Broadcast.Cluster;
using Broadcast.Elections;
using Broadcast.Health;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR;

namespace Broadcast.Push;

/// <summary>
/// The viewers' hub at <c>/hubs/results</c>. Viewers are anonymous and read-only: these
/// methods are all they can call. What a subscription receives, and when, is the
/// <see cref="Fanout"/>'s business.
/// </summary>
public sealed class ResultsHub(Election election, ResultsView view, DeltaHistory history, TallyFollower follower,
    Fanout fanout, LocalConnections connections, Publication.Holds holds, BroadcastMetrics metrics) : Hub
{
    public const int MaxGroupsPerConnection = 20;

    /// <summary>How long a Resume waits for this node to take in a run the viewer already saw from another node.</summary>
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(2);

    public override Task OnConnectedAsync()
    {
        metrics.Connected();
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.Disconnected();
        fanout.Disconnected(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>Every run's full <c>TotalsChanged</c> of the group, as before <see cref="SubscribeWith"/> existed.</summary>
    /// <param name="region">The group: a region id, <c>dapil:&lt;code&gt;</c> or <c>parliament:&lt;region id&gt;</c>.</param>
    public Task<ResultsSnapshot> Subscribe(string contest, string region) => FollowAsync(contest, region, FollowView.Legacy, null);

    /// <summary>
    /// The group in the view the viewer needs (<c>headline</c>: totals only; <c>full</c>: lean
    /// deltas), at most <see cref="SubscribeOptions.MaxPerSecond"/> frames a second (docs/api.md).
    /// </summary>
    public Task<ResultsSnapshot> SubscribeWith(string contest, string region, SubscribeOptions options)
    {
        var followView = options.View switch
        {
            null or SubscribeOptions.Full => FollowView.Full,
            SubscribeOptions.Headline => FollowView.Headline,
            _ => throw Rejections.Refuse(Rejections.BadOptions, "view must be 'headline' or 'full'."),
        };
        if (options.MaxPerSecond is { } rate && !(rate is >= MinPerSecond and <= MaxPerSecond))
            throw Rejections.Refuse(Rejections.BadOptions, $"maxPerSecond must be between {MinPerSecond} and {MaxPerSecond}, or null.");
        return FollowAsync(contest, region, followView, options.MaxPerSecond);
    }

    public const double MinPerSecond = 0.1, MaxPerSecond = 20;

    private async Task<ResultsSnapshot> FollowAsync(string contest, string region, FollowView followView, double? maxPerSecond)
    {
        var found = Resolve(contest, region);
        var groups = Subscriptions();
        var group = GroupNames.Results(found.Contest.Id, region);
        if (!groups.Contains(group) && groups.Count >= MaxGroupsPerConnection)
            throw Rejections.Refuse(Rejections.TooManyGroups, $"At most {MaxGroupsPerConnection} subscriptions per connection; unsubscribe first.");
        var connection = connections.Find(Context.ConnectionId) ?? throw new HubException("The connection is closing.");
        // Followed from the snapshot's version: a run committed in between reaches the viewer as
        // a frame from there (the fan-out checks when it takes the subscription on).
        var snapshot = await view.SnapshotAsync(found);
        fanout.Follow(connection, found, group, followView, maxPerSecond, snapshot.Epoch, snapshot.Version);
        groups.Add(group);
        metrics.Subscribed();
        return followView == FollowView.Headline ? snapshot.ToHeadline() : snapshot;
    }

    public Task Unsubscribe(string contest, string region)
    {
        var group = GroupNames.Results(contest, region);
        if (Subscriptions().Remove(group)) fanout.Unfollow(Context.ConnectionId, group);
        return Task.CompletedTask;
    }

    /// <summary>The deltas after <paramref name="version"/> if the history still has them, else a fresh snapshot.</summary>
    public async Task<ResumeResult> Resume(string contest, string region, long version)
    {
        var found = Resolve(contest, region);
        // The viewer holds a version this node has not taken in yet (it came from another node
        // over the backplane, or the viewer moved here from a node that was ahead): catch up
        // first, or the answer would move the viewer backwards.
        if (version > view.Version(found).Version)
        {
            try { await follower.CatchUpAsync().WaitAsync(CatchUpWait); }
            catch (TimeoutException) { } // answer with what this node has; the viewer asks again
        }
        // A held group's viewer gets the held snapshot, never the deltas the hold keeps back.
        if (holds.Covering(found) is null && history.Since(GroupNames.Results(found.Contest.Id, region), version) is { } deltas)
        {
            metrics.Resumed("deltas");
            return new ResumeResult(deltas.Select(d => d.ToTotalsChanged()).ToList(), null);
        }
        var snapshot = await view.SnapshotAsync(found);
        metrics.Resumed(snapshot.Version == version ? "current" : "snapshot");
        return snapshot.Version == version ? new ResumeResult([], null) : new ResumeResult([], snapshot);
    }

    private ResultsGroup Resolve(string contest, string region) =>
        election.FindGroup(contest, region) ?? throw Rejections.Refuse(Rejections.UnknownGroup, "Unknown contest or group.");

    private HashSet<string> Subscriptions()
    {
        if (Context.Items.TryGetValue(nameof(Subscriptions), out var value) && value is HashSet<string> set) return set;
        var created = new HashSet<string>(StringComparer.Ordinal);
        Context.Items[nameof(Subscriptions)] = created;
        return created;
    }
}

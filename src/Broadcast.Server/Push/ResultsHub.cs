using Broadcast.Cluster;
using Broadcast.Elections;
using Broadcast.Health;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR;

namespace Broadcast.Push;

/// <summary>
/// The viewers' hub at <c>/hubs/results</c>. Viewers are anonymous and read-only: these
/// three methods are all they can call.
/// </summary>
public sealed class ResultsHub(Election election, ResultsView view, DeltaHistory history, TallyFollower follower,
    WatchedGroups watched, BroadcastMetrics metrics) : Hub
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
        foreach (var group in Subscriptions()) watched.Unsubscribed(group);
        return base.OnDisconnectedAsync(exception);
    }

    /// <param name="region">The group: a region id, <c>dapil:&lt;code&gt;</c> or <c>parliament:&lt;region id&gt;</c>.</param>
    public async Task<ResultsSnapshot> Subscribe(string contest, string region)
    {
        var found = Resolve(contest, region);
        var groups = Subscriptions();
        var group = GroupNames.Results(found.Contest.Id, region);
        if (!groups.Contains(group) && groups.Count >= MaxGroupsPerConnection)
            throw Rejections.Refuse(Rejections.TooManyGroups, $"At most {MaxGroupsPerConnection} subscriptions per connection; unsubscribe first.");
        // Join before reading the snapshot: a delta committed in between is then either in
        // the snapshot or delivered after it, never lost.
        await Groups.AddToGroupAsync(Context.ConnectionId, group);
        if (groups.Add(group)) watched.Subscribed(group);
        metrics.Subscribed();
        return await view.SnapshotAsync(found);
    }

    public async Task Unsubscribe(string contest, string region)
    {
        var group = GroupNames.Results(contest, region);
        if (Subscriptions().Remove(group))
        {
            watched.Unsubscribed(group);
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, group);
        }
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
        if (history.Since(found.Contest.Id, region, version) is { } deltas)
        {
            metrics.Resumed("deltas");
            return new ResumeResult(deltas, null);
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

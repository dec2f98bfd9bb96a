using System.Collections.Concurrent;
using System.Threading.Channels;
using Broadcast.Elections;
using Broadcast.Health;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Broadcast.Push;

/// <summary>
/// Delivers frames to this node's viewers. Every node folds every aggregation run itself (the
/// committing node, and the others as followers), so each sends to its own viewers from its own
/// tally, and deltas never cross Redis. Per subscription (a <see cref="Follower"/>) it knows the
/// version the viewer holds and sends it frames from there:
/// <list type="bullet">
/// <item>as runs come, or at most at the subscription's rate, on a clock grid shared by every
/// follower at that rate (so they all get the same frame, serialized once);</item>
/// <item>never while a write to the viewer has not drained or its socket is behind: what moved
/// meanwhile goes out afterwards as one frame from the version it holds (conflation), so a slow
/// viewer costs a bounded buffer and delays nobody, and frames still chain with no gap;</item>
/// <item>each frame made once per group, view and starting version, whatever the number of viewers;</item>
/// <item>nothing while an operator holds the group's publication (<see cref="Publication.Holds"/>):
/// its viewers are told, and at the release they get what moved meanwhile as one frame (or, if
/// they subscribed during the hold, a <c>TotalsRebuilt</c> that sends them for a fresh snapshot).</item>
/// </list>
/// All of its state is owned by one loop; callers post commands.
/// </summary>
public sealed partial class Fanout(DeltaHistory history, ResultsView view, Publication.Holds holds, Election election, BroadcastMetrics metrics,
    TimeProvider clock, ILogger<Fanout> logger) : BackgroundService
{
    /// <summary>How often held-back frames are looked at: the finest rate grid.</summary>
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>A socket write waiting longer than this means the viewer is behind: hold its frames back.</summary>
    private static readonly TimeSpan BehindAfter = TimeSpan.FromMilliseconds(100);

    private readonly Channel<object> _commands = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, int> _followed = new(StringComparer.Ordinal);
    private int _tickQueued;

    /// <summary>
    /// Writes between two yields of the loop. Each write wakes the viewer's send loop through the
    /// thread pool's queue, where ingest requests wait too: written in one burst, a run's frames
    /// would queue thousands of sends ahead of an official's form. Yielding after a few puts the
    /// rest of the burst behind whatever arrived meanwhile.
    /// </summary>
    private const int WritesPerYield = 64;
    private int _writesSinceYield;

    // The loop's own state.
    private readonly Dictionary<string, List<Follower>> _byGroup = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, Follower>> _byConnection = new(StringComparer.Ordinal);
    private readonly HashSet<Follower> _held = [];
    private readonly Dictionary<(string Name, FollowView View, long From), Frame?> _frames = [];

    private sealed record Frame(GroupChange Change, SerializedHubMessage Message);
    private sealed record FollowCommand(Follower Follower);
    private sealed record UnfollowCommand(string ConnectionId, string Name);
    private sealed record DisconnectedCommand(string ConnectionId);
    private sealed record ChangesCommand(IReadOnlyList<GroupChange> Changes);
    private sealed record RebuiltCommand(string Epoch);
    private sealed record ResyncCommand;
    private sealed record WrittenCommand(Follower Follower);
    private sealed record TickCommand;
    private sealed record HoldsCommand(IReadOnlyList<Publication.Hold> Taken, IReadOnlyList<Publication.Hold> Released);

    /// <summary>Whether any viewer here follows the group: only those get changes built (read off the loop, so a moment stale).</summary>
    public bool IsFollowed(string group) => _followed.ContainsKey(group);

    /// <summary>Follows <paramref name="group"/> for the connection from the snapshot it was given (<paramref name="epoch"/>, <paramref name="held"/>); replaces its earlier subscription of that group.</summary>
    public void Follow(HubConnectionContext connection, ResultsGroup group, string name, FollowView followView, double? maxPerSecond, string epoch, long held)
    {
        var periodMs = maxPerSecond is { } rate ? (int)Math.Round(1000 / rate) : 0;
        _commands.Writer.TryWrite(new FollowCommand(new Follower(connection, group, name, followView, periodMs, epoch, held)));
    }

    public void Unfollow(string connectionId, string name) => _commands.Writer.TryWrite(new UnfollowCommand(connectionId, name));

    public void Disconnected(string connectionId) => _commands.Writer.TryWrite(new DisconnectedCommand(connectionId));

    /// <summary>An applied run's changes of followed groups (<see cref="ResultsView.Changes"/>), in run order.</summary>
    public void Publish(IReadOnlyList<GroupChange> changes)
    {
        if (changes.Count > 0) _commands.Writer.TryWrite(new ChangesCommand(changes));
    }

    /// <summary>Totals were rebuilt under a new epoch: every viewer here is told to take a fresh snapshot.</summary>
    public void Rebuilt(string epoch) => _commands.Writer.TryWrite(new RebuiltCommand(epoch));

    /// <summary>Publication holds were taken or released (<see cref="Publication.Holds.Changed"/>).</summary>
    public void HoldsChanged(IReadOnlyList<Publication.Hold> taken, IReadOnlyList<Publication.Hold> released) =>
        _commands.Writer.TryWrite(new HoldsCommand(taken, released));

    /// <summary>The tally was reloaded (same epoch): runs were skipped, so every viewer is brought up to date from a snapshot.</summary>
    public void Resync() => _commands.Writer.TryWrite(new ResyncCommand());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = TickAsync(stoppingToken);
        await foreach (var command in _commands.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await HandleAsync(command);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e); // a viewer that missed a frame resumes on the next one's gap
            }
            finally
            {
                _frames.Clear(); // frames are shared within one command, when every follower of a group starts from one version
            }
        }
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TickInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            if (_held.Count > 0 && Interlocked.Exchange(ref _tickQueued, 1) == 0) _commands.Writer.TryWrite(new TickCommand());
    }

    private async Task HandleAsync(object command)
    {
        switch (command)
        {
            case ChangesCommand changes:
                history.Add(changes.Changes);
                foreach (var change in changes.Changes)
                    if (_byGroup.TryGetValue(change.Name, out var followers))
                        foreach (var follower in followers)
                            if (follower.Epoch == change.Epoch && follower.Held < change.Version)
                            {
                                follower.Due = true;
                                await TrySendAsync(follower);
                            }
                break;
            case TickCommand:
                Volatile.Write(ref _tickQueued, 0);
                foreach (var follower in _held.ToList()) await TrySendAsync(follower);
                break;
            case WrittenCommand written:
                written.Follower.Busy = false;
                if (written.Follower.Due) await TrySendAsync(written.Follower);
                break;
            case FollowCommand follow:
                await AddAsync(follow.Follower);
                break;
            case UnfollowCommand unfollow:
                if (_byConnection.TryGetValue(unfollow.ConnectionId, out var subscriptions) && subscriptions.Remove(unfollow.Name, out var removed))
                    Remove(removed);
                break;
            case DisconnectedCommand disconnected:
                if (_byConnection.Remove(disconnected.ConnectionId, out var all))
                    foreach (var follower in all.Values) Remove(follower);
                break;
            case RebuiltCommand rebuilt:
                history.Clear();
                var message = RebuiltMessage(rebuilt.Epoch);
                foreach (var subscriptions2 in _byConnection.Values)
                    if (subscriptions2.Values.FirstOrDefault() is { } any) _ = any.Connection.WriteAsync(message);
                break;
            case HoldsCommand changed:
                await HoldsChangedAsync(changed);
                break;
            case ResyncCommand:
                history.Clear();
                foreach (var followers in _byGroup.Values)
                    foreach (var follower in followers)
                    {
                        follower.Due = true;
                        await TrySendAsync(follower);
                    }
                break;
        }
    }

    /// <summary>
    /// Tells the viewers of every group a hold now covers that it is held; at a release, tells
    /// them it is not, then sends each what moved meanwhile, or, to one whose snapshot was taken
    /// during the hold (another epoch), <c>TotalsRebuilt</c> so that it takes a fresh one.
    /// </summary>
    private async Task HoldsChangedAsync(HoldsCommand changed)
    {
        foreach (var followers in _byGroup.Values.ToList())
        {
            if (followers.Count == 0) continue;
            var group = followers[0].Group;
            var (contest, region) = (group.Contest.Id, election.GroupId(group));
            if (changed.Taken.FirstOrDefault(h => holds.Covers(h, group)) is { } taken)
                Broadcast(followers, new HeldNotice(contest, region, true, taken.Seq, Since(taken)));
            else if (holds.Covering(group) is null && changed.Released.FirstOrDefault(h => holds.Covers(h, group)) is { } released)
            {
                Broadcast(followers, new HeldNotice(contest, region, false, released.Seq, Since(released)));
                var (epoch, version) = view.Version(group);
                SerializedHubMessage? rebuilt = null; // serialized once for the group's viewers that need it
                foreach (var follower in followers.ToList())
                {
                    if (follower.Epoch != epoch)
                        _ = follower.Connection.WriteAsync(rebuilt ??= RebuiltMessage(epoch));
                    else if (version > follower.Held)
                    {
                        follower.Due = true;
                        await TrySendAsync(follower);
                    }
                }
            }
        }

        static string Since(Publication.Hold hold) => hold.Since.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        static void Broadcast(List<Follower> followers, HeldNotice notice)
        {
            var message = new SerializedHubMessage(new InvocationMessage(HubEvents.Held, [notice]));
            foreach (var follower in followers) _ = follower.Connection.WriteAsync(message);
        }
    }

    private static SerializedHubMessage RebuiltMessage(string epoch) =>
        new(new InvocationMessage(HubEvents.TotalsRebuilt, [new TotalsRebuilt(epoch)]));

    private async Task AddAsync(Follower follower)
    {
        if (!_byConnection.TryGetValue(follower.ConnectionId, out var subscriptions)) _byConnection[follower.ConnectionId] = subscriptions = [];
        if (subscriptions.Remove(follower.Name, out var replaced)) Remove(replaced);
        subscriptions[follower.Name] = follower;
        if (!_byGroup.TryGetValue(follower.Name, out var followers)) _byGroup[follower.Name] = followers = [];
        followers.Add(follower);
        _followed.AddOrUpdate(follower.Name, 1, (_, n) => n + 1);
        // A run may have landed between the snapshot and now, before this group was followed
        // here (its change was not built): bring the viewer up to date from where it is.
        var (epoch, version) = view.Version(follower.Group);
        if (epoch == follower.Epoch && version > follower.Held)
        {
            follower.Due = true;
            await TrySendAsync(follower);
        }
    }

    private void Remove(Follower follower)
    {
        follower.Removed = true;
        _held.Remove(follower);
        if (_byGroup.TryGetValue(follower.Name, out var followers))
        {
            followers.Remove(follower);
            if (followers.Count == 0) _byGroup.Remove(follower.Name);
        }
        if (_followed.AddOrUpdate(follower.Name, 0, (_, n) => n - 1) <= 0) _followed.TryRemove(KeyValuePair.Create(follower.Name, 0));
    }

    /// <summary>Sends the follower one frame from the version it holds to the latest, unless it is held back; then it waits in <see cref="_held"/>.</summary>
    private async Task TrySendAsync(Follower follower)
    {
        if (follower.Removed || !follower.Due || holds.Covering(follower.Group) is not null)
        {
            _held.Remove(follower); // a held group's viewer stays due: the release sends it what moved
            return;
        }
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (follower.Busy || now < follower.NextAllowedMs || IsBehind(follower))
        {
            if (_held.Add(follower)) metrics.FrameHeldBack();
            return;
        }
        _held.Remove(follower);
        follower.Due = false;
        if (await FrameAsync(follower) is not { } frame) return;
        follower.Held = frame.Change.Version;
        if (follower.PeriodMs > 0) follower.NextAllowedMs = (now / follower.PeriodMs + 1) * follower.PeriodMs;
        var write = follower.Connection.WriteAsync(frame.Message);
        metrics.FrameSent(follower.View, frame.Message.GetSerializedMessage(follower.Connection.Protocol).Length);
        if (!write.IsCompletedSuccessfully)
        {
            follower.Busy = true;
            _ = AwaitWriteAsync(write, follower);
        }
        if (++_writesSinceYield >= WritesPerYield)
        {
            _writesSinceYield = 0;
            await Task.Yield();
        }
    }

    private async Task AwaitWriteAsync(ValueTask write, Follower follower)
    {
        try { await write; }
        catch (Exception) { } // the connection went; its disconnect removes the follower
        finally { _commands.Writer.TryWrite(new WrittenCommand(follower)); }
    }

    private bool IsBehind(Follower follower) =>
        ViewerConnection.From(follower.Connection.Items)?.Socket?.Waiting(clock.GetTimestamp()) is { } waiting && waiting > BehindAfter;

    /// <summary>The frame taking a viewer of this group and view from <see cref="Follower.Held"/> to the latest; null when nothing is newer.</summary>
    private async Task<Frame?> FrameAsync(Follower follower)
    {
        var key = (follower.Name, follower.View, follower.Held);
        if (_frames.TryGetValue(key, out var cached)) return cached;
        var change = Merge(history.Since(follower.Name, follower.Held));
        if (change is null)
        {
            // The history does not reach back to what the viewer holds: the whole group as a change from there.
            var snapshot = await view.SnapshotAsync(follower.Group);
            change = snapshot.Epoch == follower.Epoch && snapshot.Version > follower.Held ? GroupChange.Everything(snapshot, follower.Held) : null;
        }
        var frame = change is null ? null : new Frame(change, new SerializedHubMessage(follower.View switch
        {
            FollowView.Headline => new InvocationMessage(HubEvents.Headline, [change.ToHeadline()]),
            FollowView.Full => new InvocationMessage(HubEvents.Delta, [change.ToDelta()]),
            _ => new InvocationMessage(HubEvents.TotalsChanged, [change.ToTotalsChanged()]),
        }));
        _frames[key] = frame;
        return frame;
    }

    /// <summary>Consecutive changes as one; null unless each starts where the one before ends.</summary>
    private static GroupChange? Merge(IReadOnlyList<GroupChange>? changes)
    {
        if (changes is not { Count: > 0 }) return null;
        var merged = changes[0];
        for (var i = 1; i < changes.Count; i++)
        {
            if (changes[i].PrevVersion != merged.Version) return null;
            merged = merged.Then(changes[i]);
        }
        return merged;
    }

    [LoggerMessage(EventId = 420, Level = LogLevel.Error, Message = "Delivering frames to viewers failed; they catch up with the next frame")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

public static class HubEvents
{
    public const string TotalsChanged = nameof(TotalsChanged);
    public const string TotalsRebuilt = nameof(TotalsRebuilt);
    public const string Delta = nameof(Delta);
    public const string Headline = nameof(Headline);
    public const string Held = nameof(Held);
}

using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Publication;

/// <summary>
/// A publication hold: the numbers of a contest in a region (and every group under it) stay as
/// they were at <see cref="Seq"/> for every viewer until an operator releases them, the freeze a
/// TV desk asks for before going on air. Counting goes on underneath.
/// </summary>
public sealed record Hold(string Contest, string Region, long Seq, DateTimeOffset Since, string Operator, string Reason);

/// <summary>
/// The holds in force, as every node knows them: taken and released through the operator API
/// (and kept in the store, so every node and every restart has them), re-read from the store
/// every second, and at once on a cluster notice. Everything that shows numbers asks
/// <see cref="Covering"/>: <see cref="Results.ResultsView"/> serves a held group as it was at the
/// hold's seq, and the fan-out sends its viewers nothing until the release.
/// </summary>
public sealed partial class Holds(FormStore store, Election election, TallyHolder holder, Cluster.ClusterNotices notices, TimeProvider clock,
    ILogger<Holds> logger)
    : BackgroundService
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(1);

    private volatile IReadOnlyList<Hold> _active = [];
    private readonly SemaphoreSlim _refresh = new(1, 1);

    /// <summary>Holds taken (first list) and released (second), in the order they were seen; raised on the thread that saw them.</summary>
    public event Action<IReadOnlyList<Hold>, IReadOnlyList<Hold>>? Changed;

    public IReadOnlyList<Hold> Active => _active;

    /// <summary>The hold that covers <paramref name="group"/>, or null: a region at or under the hold's, a dapil all of whose regions are, a parliament whose region is.</summary>
    public Hold? Covering(ResultsGroup group)
    {
        var active = _active;
        if (active.Count == 0) return null;
        foreach (var hold in active)
            if (Covers(hold, group)) return hold;
        return null;
    }

    public bool Covers(Hold hold, ResultsGroup group)
    {
        if (hold.Contest != group.Contest.Id || election.FindRegion(hold.Region) is not { } region) return false;
        return group.Kind switch
        {
            GroupKind.Dapil => group.Dapil.Members.All(m => election.IsWithin(m, region)),
            GroupKind.Parliament => election.IsWithin(group.Parliament.Region, region),
            _ => election.IsWithin(group.Index, region),
        };
    }

    /// <summary>Holds the contest's numbers in the region as they are on this node now; null when already held there.</summary>
    public async Task<Hold?> HoldAsync(string contest, string region, string @operator, string reason)
    {
        var hold = new Hold(contest, region, holder.Tally.State.Checkpoint, clock.GetUtcNow(), @operator, reason);
        if (!await store.AddHoldAsync(hold)) return null;
        await store.RecordActionAsync(@operator, "hold", $"{contest} {region} at seq {hold.Seq}", reason);
        await RefreshAsync();
        notices.HoldsChanged();
        return hold;
    }

    /// <summary>Releases a hold; null when there was none.</summary>
    public async Task<Hold?> ReleaseAsync(string contest, string region, string @operator, string reason)
    {
        var held = _active.FirstOrDefault(h => h.Contest == contest && h.Region == region);
        if (!await store.RemoveHoldAsync(contest, region)) return null;
        await store.RecordActionAsync(@operator, "release", $"{contest} {region}", reason);
        await RefreshAsync();
        notices.HoldsChanged();
        return held;
    }

    /// <summary>Reads the holds from the store and announces what changed.</summary>
    public async Task RefreshAsync()
    {
        await _refresh.WaitAsync();
        try
        {
            var now = await store.ReadHoldsAsync();
            var before = _active;
            var taken = now.Where(h => !before.Any(b => Same(b, h))).ToList();
            var released = before.Where(b => !now.Any(h => Same(b, h))).ToList();
            if (taken.Count == 0 && released.Count == 0) return;
            _active = now;
            foreach (var hold in taken) LogHeld(logger, hold.Contest, hold.Region, hold.Seq, hold.Operator);
            foreach (var hold in released) LogReleased(logger, hold.Contest, hold.Region);
            Changed?.Invoke(taken, released);
        }
        finally { _refresh.Release(); }
    }

    private static bool Same(Hold a, Hold b) => a.Contest == b.Contest && a.Region == b.Region && a.Seq == b.Seq;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await notices.SubscribeHoldsAsync(() => _ = RefreshQuietlyAsync());
        using var timer = new PeriodicTimer(RefreshEvery, clock);
        do await RefreshQuietlyAsync();
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RefreshQuietlyAsync()
    {
        try { await RefreshAsync(); }
        catch (System.Data.Common.DbException e) { LogRefreshFailed(logger, e.Message); } // the holds stay as last read
    }

    [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "Publication of {Contest} in {Region} held at seq {Seq} by {Operator}")]
    private static partial void LogHeld(ILogger logger, string contest, string region, long seq, string @operator);

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "Publication of {Contest} in {Region} released")]
    private static partial void LogReleased(ILogger logger, string contest, string region);

    [LoggerMessage(EventId = 802, Level = LogLevel.Warning, Message = "Could not read the publication holds; keeping those last read: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}

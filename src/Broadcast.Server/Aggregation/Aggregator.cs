using System.Diagnostics;
using Broadcast.Cluster;
using Broadcast.Health;
using Broadcast.Push;
using Broadcast.Storage;
using Microsoft.Extensions.Options;

namespace Broadcast.Aggregation;

/// <summary>
/// Folds stored revisions into the totals. One run at a time in this process (a lock) and, when
/// nodes share PostgreSQL, one at a time across nodes (the store's aggregation lock); exactly-once
/// in effect whatever happens: a run commits its totals together with the new checkpoint only if
/// the checkpoint it started from is still the stored one. Runs committed by other nodes are
/// taken in by <see cref="FollowAsync"/>.
/// </summary>
public sealed partial class Aggregator(
    FormStore store, TallyHolder holder, ResultsPublisher publisher, ClusterNotices notices, AggregationTrigger trigger,
    BroadcastMetrics metrics, IOptions<AggregationOptions> options, TimeProvider clock, ILogger<Aggregator> logger)
{
    /// <summary>Beyond this many revisions behind, a follower reloads rather than catching up run by run.</summary>
    private const int FollowLimit = 200_000;

    private long _lastRunEnded;

    /// <summary>Revisions folded per commit: bounds memory and transaction size during bulk loads.</summary>
    public const int BatchSize = 50_000;

    private readonly SemaphoreSlim _runLock = new(1, 1);

    /// <summary>How long one job keeps draining before it hands back (and wakes a new job if forms keep coming).</summary>
    private static readonly TimeSpan MaxDrain = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The job's run. When another node is aggregating it returns at once: that node's drain
    /// takes in every form stored meanwhile. Otherwise it keeps running, spaced by
    /// <see cref="AggregationOptions.MinRunInterval"/>, for as long as forms keep arriving (up to
    /// <see cref="MaxDrain"/>), so one node aggregates while ingest goes on instead of nodes
    /// taking turns (each turn would first have to take in the previous node's runs).
    /// </summary>
    public async Task<AggregationReport> DrainAsync(CancellationToken cancellationToken = default)
    {
        var report = new AggregationReport();
        var tally = await holder.ReadyAsync(cancellationToken);
        await using (var clusterLock = await store.LockAggregationAsync(wait: false, cancellationToken))
        {
            if (clusterLock is null) return report;
            trigger.DrainStarted();
            try
            {
                await _runLock.WaitAsync(cancellationToken);
                try { await RunPassesAsync(tally, report, drain: true, cancellationToken); }
                finally { _runLock.Release(); }
            }
            finally
            {
                trigger.DrainEnded();
            }
        }
        // Forms stored after the last pass looked, while this node still held the lock, had their
        // jobs turned away (here and on other nodes): wake for them.
        if (await store.ReadLastSeqAsync() > tally.State.Checkpoint) trigger.Wake();
        return report;
    }

    /// <summary>Operators and tests: waits for a run on any node to finish, then folds everything stored so far.</summary>
    public Task<AggregationReport> RunAsync(CancellationToken cancellationToken = default) =>
        WithRunLockAsync(async tally =>
        {
            var report = new AggregationReport();
            await RunPassesAsync(tally, report, drain: false, cancellationToken);
            return report;
        }, cancellationToken, acrossNodes: true);

    private async Task RunPassesAsync(Tally tally, AggregationReport report, bool drain, CancellationToken cancellationToken)
    {
        // Another node may have committed runs since this one last looked: start from them.
        await CatchUpAsync(tally, cancellationToken);
        var started = clock.GetTimestamp();
        var backlog = false;
        while (true)
        {
            // Runs are spaced: every run sends each changed group's delta to all its viewers, so
            // the run rate, not the form rate, sets the frames per viewer per second. Forms that
            // arrive meanwhile are folded together by the next run. A backlog (a full batch last
            // time) is folded without pause.
            var wait = options.Value.MinRunInterval - clock.GetElapsedTime(Interlocked.Read(ref _lastRunEnded));
            if (!backlog && wait > TimeSpan.Zero && _lastRunEnded != 0) await Task.Delay(wait, clock, cancellationToken);
            var state = tally.State;
            var watch = Stopwatch.StartNew();
            var revisions = await store.ReadRevisionsAsync(state.Checkpoint, long.MaxValue, BatchSize);
            if (revisions.Count == 0) return;
            var run = await FoldAsync(tally, revisions);
            var next = state with { Checkpoint = run.LastSeq, ChainHead = run.ChainHead };

            if (!await store.CommitAggregationAsync(state, next, run.ChangedTotals(next.Checkpoint), replaceAll: false))
            {
                // Another run committed first (a node without the lock: the lock is advisory,
                // or its connection dropped mid-run): take its result and go on from there.
                LogLostRace(logger, state.Checkpoint);
                await CatchUpAsync(tally, cancellationToken);
                continue;
            }
            var changes = tally.Apply(run, next);
            publisher.Publish(changes);
            metrics.Published(revisions[0].ReceivedAt, clock.GetUtcNow());
            notices.Committed(next);
            Interlocked.Exchange(ref _lastRunEnded, clock.GetTimestamp());
            metrics.RunCompleted(watch.Elapsed);
            report.Add(run, changes);
            LogRun(logger, run.Folded, changes.GroupCount, next.Checkpoint, watch.ElapsedMilliseconds);
            if (run.Skipped > 0) LogSkipped(logger, run.Skipped);
            backlog = revisions.Count == BatchSize;
            if (!backlog && (!drain || clock.GetElapsedTime(started) > MaxDrain)) return;
        }
    }

    /// <summary>
    /// Recomputes every total from all stored revisions and starts a new epoch, so that every
    /// client takes a fresh snapshot. Ingest goes on meanwhile; aggregation waits.
    /// </summary>
    public Task<RebuildReport> RebuildAsync(CancellationToken cancellationToken = default) =>
        WithRunLockAsync(RebuildLockedAsync, cancellationToken, acrossNodes: true);

    /// <summary>
    /// A rehearsal's reset: every stored revision and total deleted, then rebuilt (empty) under a
    /// new epoch, so every screen takes a fresh, empty snapshot. Runs under the run lock, so no
    /// run commits between the two.
    /// </summary>
    public Task<RebuildReport> ClearAsync(CancellationToken cancellationToken = default) =>
        WithRunLockAsync(async tally =>
        {
            await store.ClearAsync();
            return await RebuildLockedAsync(tally);
        }, cancellationToken, acrossNodes: true);

    private async Task<RebuildReport> RebuildLockedAsync(Tally tally)
    {
        var watch = Stopwatch.StartNew();
        var state = await store.ReadAggregationStateAsync();
        var rebuilt = await TallyHolder.FoldFromScratchAsync(store, tally.Election, long.MaxValue, holder.RecordChain);
        var next = rebuilt.State with { Epoch = AggregationState.NewEpoch() };
        var rows = TallyHolder.AllTotals(rebuilt, next.Checkpoint);
        if (!await store.CommitAggregationAsync(state, next, rows, replaceAll: true))
            throw new InvalidOperationException("the aggregation state changed during a rebuild, which holds the run lock");
        foreach (var contest in rebuilt.Contests)
        {
            Array.Fill(contest.RegionVersions, next.Checkpoint);
            Array.Fill(contest.DapilVersions, next.Checkpoint);
        }
        rebuilt.SetState(next);
        tally.Replace(rebuilt);
        publisher.Rebuilt(next.Epoch);
        notices.Committed(next);
        LogRebuilt(logger, next.Epoch, next.Checkpoint, watch.ElapsedMilliseconds);
        return new RebuildReport(next.Epoch, next.Checkpoint, watch.ElapsedMilliseconds);
    }

    /// <summary>
    /// Compares the incremental totals (live and stored) with a from-scratch fold of the same
    /// revisions and lists every difference. Holds the run lock so all three are at one checkpoint.
    /// </summary>
    public Task<ReconciliationReport> ReconcileAsync(CancellationToken cancellationToken = default) =>
        WithRunLockAsync(async tally =>
        {
            // Across nodes no run commits meanwhile, and after the catch-up this node's tally is
            // at the stored checkpoint: live, stored and from-scratch totals are comparable.
            await CatchUpAsync(tally, cancellationToken);
            var watch = Stopwatch.StartNew();
            var scratch = await TallyHolder.FoldFromScratchAsync(store, tally.Election, tally.State.Checkpoint, holder.RecordChain);
            var stored = (await store.ReadTotalsAsync()).Rows;
            var drift = Reconciliation.Compare(scratch, tally, stored);
            var report = new ReconciliationReport(tally.State.Epoch, tally.State.Checkpoint,
                tally.Contests.Sum(c => tally.Election.Regions.Count + c.Contest.Dapils.Count), drift, watch.ElapsedMilliseconds);
            if (drift.Count > 0) LogDrift(logger, drift.Count, drift[0].ToString());
            return report;
        }, cancellationToken, acrossNodes: true);

    /// <summary>
    /// Takes in the runs other nodes committed since this node's checkpoint, without committing
    /// anything: their revisions are folded here and each changed group takes the version stored
    /// with it, so snapshots and Resume on this node agree with the deltas the committing node
    /// sent. This node's viewers get their frames from this node (every node sends to its own).
    /// </summary>
    public Task<bool> FollowAsync(CancellationToken cancellationToken = default) =>
        WithRunLockAsync(tally => CatchUpAsync(tally, cancellationToken), cancellationToken);

    private async Task<bool> CatchUpAsync(Tally tally, CancellationToken cancellationToken)
    {
        var committed = await store.ReadCommittedSinceAsync(tally.State, FollowLimit);
        if (committed.State == tally.State) return false;
        if (committed.Revisions is null)
        {
            // Rebuilt elsewhere (a new epoch) or far behind: start again from the stored state.
            var newEpoch = committed.State.Epoch != tally.State.Epoch;
            await holder.ReloadAsync(cancellationToken);
            publisher.Reloaded(newEpoch, tally.State.Epoch);
            LogReloaded(logger, tally.State.Epoch, tally.State.Checkpoint);
        }
        else
        {
            var versions = new Dictionary<GroupKey, long>(committed.Versions.Count);
            foreach (var group in committed.Versions)
                if (GroupKey.Of(tally.Election, group.Contest, group.Region) is { } key) versions[key] = group.Version;
            var run = await FoldAsync(tally, committed.Revisions);
            publisher.Publish(tally.Apply(run, committed.State, versions));
            if (committed.Revisions.Count > 0) metrics.Published(committed.Revisions[0].ReceivedAt, clock.GetUtcNow());
            LogFollowed(logger, run.Folded, committed.State.Checkpoint);
        }
        return true;
    }

    /// <summary>Folds <paramref name="revisions"/> on top of the tally, reading first the counted revisions they replace.</summary>
    private async Task<TallyRun> FoldAsync(Tally tally, IReadOnlyList<StoredRevision> revisions)
    {
        var seqs = TallyRun.CountedSeqsToRead(tally, revisions);
        var replaced = seqs.Count == 0
            ? new Dictionary<long, FormNumbers>()
            : (await store.ReadRevisionsAsync(seqs)).ToDictionary(r => r.Seq, r => r.Numbers);
        var run = new TallyRun(tally, replaced);
        foreach (var revision in revisions) run.Fold(revision);
        run.ProjectSeats();
        return run;
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the loaded tally, alone in this process: runs, rebuilds,
    /// reconciliations and follows never overlap. With <paramref name="acrossNodes"/> it first
    /// takes the store's aggregation lock, outside the local one, so that while this node waits
    /// for another node's run its follower can still take the runs that node commits.
    /// </summary>
    private async Task<T> WithRunLockAsync<T>(Func<Tally, Task<T>> work, CancellationToken cancellationToken, bool acrossNodes = false)
    {
        var tally = await holder.ReadyAsync(cancellationToken);
        await using var clusterLock = acrossNodes ? await store.LockAggregationAsync(wait: true, cancellationToken) : null;
        await _runLock.WaitAsync(cancellationToken);
        try
        {
            return await work(tally);
        }
        finally
        {
            _runLock.Release();
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Aggregated {Revisions} revisions into {Groups} groups up to seq {Checkpoint} in {ElapsedMs} ms")]
    private static partial void LogRun(ILogger logger, int revisions, int groups, long checkpoint, long elapsedMs);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Another aggregation run committed past seq {Checkpoint} first; reloading its totals")]
    private static partial void LogLostRace(ILogger logger, long checkpoint);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "{Count} revisions name a contest or station this election does not have; they were not counted")]
    private static partial void LogSkipped(ILogger logger, int count);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Rebuilt all totals: epoch {Epoch}, seq {Checkpoint}, {ElapsedMs} ms")]
    private static partial void LogRebuilt(ILogger logger, string epoch, long checkpoint, long elapsedMs);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "Took in {Revisions} revisions aggregated by another node, up to seq {Checkpoint}")]
    private static partial void LogFollowed(ILogger logger, int revisions, long checkpoint);

    [LoggerMessage(EventId = 306, Level = LogLevel.Information, Message = "Reloaded the totals committed by another node: epoch {Epoch}, seq {Checkpoint}")]
    private static partial void LogReloaded(ILogger logger, string epoch, long checkpoint);

    [LoggerMessage(EventId = 304, Level = LogLevel.Error, Message = "Reconciliation found {Count} drifting totals, first: {First}")]
    private static partial void LogDrift(ILogger logger, int count, string first);
}

public sealed class AggregationReport
{
    public int Runs { get; private set; }
    public int Revisions { get; private set; }
    public int Groups { get; private set; }

    internal void Add(TallyRun run, TallyChanges changes)
    {
        Runs++;
        Revisions += run.Folded;
        Groups += changes.GroupCount;
    }
}

public sealed record RebuildReport(string Epoch, long Version, long ElapsedMs);

public sealed record ReconciliationReport(string Epoch, long Version, int GroupsCompared,
    IReadOnlyList<TotalsDrift> Drift, long ElapsedMs);

public sealed class AggregationOptions
{
    public const string Section = "Aggregation";

    /// <summary>
    /// The least time between the end of one aggregation run and the start of the next. Bounds
    /// the deltas per group per second that viewers receive, whatever the form rate.
    /// </summary>
    public TimeSpan MinRunInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}

using System.Diagnostics;
using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Aggregation;

/// <summary>
/// Owns the live <see cref="Tally"/>. At start-up it is rebuilt in memory by folding the
/// stored revisions up to the stored checkpoint (the fold is cheap: a few seconds for 800k forms),
/// and the stored totals give each group its version. Nothing is served before that.
/// </summary>
public sealed partial class TallyHolder(FormStore store, Election election, Audit.ChainStatus chain, TimeProvider clock,
    ILogger<TallyHolder> logger) : IHostedService
{
    private readonly TaskCompletionSource<Tally> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Tally? _tally;

    /// <summary>The live tally; only valid after start-up (hosted services start before requests are served).</summary>
    public Tally Tally => _tally ?? throw new InvalidOperationException("the tally is not loaded yet");

    public bool IsLoaded => _tally is not null;

    public Task<Tally> ReadyAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        _tally = await LoadAsync();
        _ready.SetResult(_tally);
        LogLoaded(logger, _tally.State.Checkpoint, _tally.State.Epoch, watch.ElapsedMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Replaces the live tally with the stored state (after another process committed a run).</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var fresh = await LoadAsync();
        Tally.Replace(fresh);
    }

    private async Task<Tally> LoadAsync()
    {
        // Totals and state from one snapshot: each group's version is then the one that goes with
        // the totals folded up to that checkpoint, even while other nodes commit runs.
        var stored = await store.ReadTotalsAsync();
        var versions = stored.Rows.Select(r => r.Version).ToHashSet();
        var tally = await FoldFromScratchAsync(store, election, stored.State.Checkpoint, RecordChain, versions);
        // The stored head was published with every delta since that commit: a log rewritten
        // afterwards, even with a consistent chain of its own, no longer ends there.
        if (stored.State.ChainHead is { Length: > 0 } head && head != tally.State.ChainHead)
        {
            chain.Record(chain.Last?.Checked ?? 0, Math.Min(chain.Last?.FirstBreak ?? long.MaxValue, stored.State.Checkpoint), clock);
            LogHeadMismatch(logger, stored.State.Checkpoint, head, tally.State.ChainHead);
        }
        tally.SetState(stored.State with { ChainHead = tally.State.ChainHead });
        foreach (var row in stored.Rows)
            if (GroupKey.Of(election, row.Contest, row.Region) is { } group)
                tally.Contests[group.Contest].Versions(group)[group.Index] = row.Version;
        return tally;
    }

    /// <summary>
    /// A tally of every revision with seq up to <paramref name="upToSeq"/>, folded from nothing
    /// (newest first, see <see cref="ScratchFold"/>); on the way, the chain of those revisions is
    /// checked and the result given to <paramref name="chain"/>, and the hashes at the checkpoint and
    /// at <paramref name="versions"/> (the groups' stored versions) kept for <see cref="Tally.ChainAt"/>.
    /// </summary>
    public static async Task<Tally> FoldFromScratchAsync(FormStore store, Election election, long upToSeq,
        Action<RevisionChain.Checker>? chain = null, IReadOnlySet<long>? versions = null)
    {
        var tally = new Tally(election, new AggregationState(0, ""));
        var fold = new ScratchFold(tally);
        var checker = new RevisionChain.Checker();
        // Reading the next batch overlaps folding this one: the two take about as long each.
        var reading = Task.Run(() => store.ReadRevisionsNewestFirstAsync(upToSeq, Aggregator.BatchSize));
        while (await reading is { Count: > 0 } revisions)
        {
            var below = revisions[^1].Seq - 1;
            reading = Task.Run(() => store.ReadRevisionsNewestFirstAsync(below, Aggregator.BatchSize));
            foreach (var revision in revisions)
            {
                fold.Fold(revision);
                checker.Add(revision);
                if (revision.Seq == fold.Checkpoint || versions?.Contains(revision.Seq) == true) tally.RememberHead(revision.Seq, revision.Hash);
            }
        }
        checker.Finish();
        chain?.Invoke(checker);
        fold.ProjectSeats();
        tally.SetState(new AggregationState(fold.Checkpoint, "", fold.ChainHead));
        return tally;
    }

    /// <summary>Keeps what a fold found of the chain, and says so in the log when it is broken.</summary>
    internal void RecordChain(RevisionChain.Checker checker)
    {
        chain.Record(checker.Checked, checker.FirstBreak, clock);
        if (checker.FirstBreak is { } seq) LogChainBroken(logger, seq, checker.Checked);
    }

    /// <summary>Every group's totals as store rows (a rebuild replaces them all): the regions each contest covers, and its dapils.</summary>
    public static IReadOnlyCollection<TotalsRow> AllTotals(Tally tally, long version)
    {
        var rows = new List<TotalsRow>(tally.Election.Regions.Count * tally.Contests.Length);
        var regions = tally.Election.Regions;
        foreach (var totals in tally.Contests)
        {
            var contest = totals.Contest;
            for (var region = 0; region < regions.Count; region++)
                if (contest.Covers(region)) rows.Add(TotalsRow.Of(contest.Id, regions.Id[region], version, totals.Region(region)));
            foreach (var dapil in contest.Dapils) rows.Add(TotalsRow.Of(contest.Id, dapil.GroupId, version, totals.Dapil(dapil.Index)));
        }
        return rows;
    }

    [LoggerMessage(EventId = 311, Level = LogLevel.Critical,
        Message = "The revision chain is broken at seq {Seq} ({Checked} revisions checked): a stored revision was altered, removed or inserted after it was written")]
    private static partial void LogChainBroken(ILogger logger, long seq, long @checked);

    [LoggerMessage(EventId = 312, Level = LogLevel.Critical,
        Message = "The revision at the stored checkpoint {Seq} hashes to {Actual}, not to the chain head {Stored} committed with the totals: the log was rewritten")]
    private static partial void LogHeadMismatch(ILogger logger, long seq, string stored, string actual);

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Totals loaded at seq {Checkpoint}, epoch {Epoch}, in {ElapsedMs} ms")]
    private static partial void LogLoaded(ILogger logger, long checkpoint, string epoch, long elapsedMs);
}

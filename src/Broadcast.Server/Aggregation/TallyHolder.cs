using System.Diagnostics;
using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Aggregation;

/// <summary>
/// Owns the live <see cref="Tally"/>. At start-up it is rebuilt in memory by folding the
/// stored revisions up to the stored checkpoint (the fold is cheap: ~1 s for 800k forms),
/// and the stored totals give each group its version. Nothing is served before that.
/// </summary>
public sealed partial class TallyHolder(FormStore store, Election election, ILogger<TallyHolder> logger) : IHostedService
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
        var tally = await FoldFromScratchAsync(store, election, stored.State.Checkpoint);
        tally.SetState(stored.State);
        foreach (var row in stored.Rows)
        {
            if (election.FindContest(row.Contest) is { } contest && election.FindRegion(row.Region) is { } region)
                tally.Contests[contest.Index].RegionVersions[region] = row.Version;
        }
        return tally;
    }

    /// <summary>A tally of every revision with seq up to <paramref name="upToSeq"/>, folded from nothing.</summary>
    public static async Task<Tally> FoldFromScratchAsync(FormStore store, Election election, long upToSeq)
    {
        var tally = new Tally(election, new AggregationState(0, ""));
        long after = 0;
        // Reading the next batch overlaps folding this one: the two take about as long each.
        var reading = Task.Run(() => store.ReadRevisionsAsync(0, upToSeq, Aggregator.BatchSize));
        while (await reading is { Count: > 0 } revisions)
        {
            var last = revisions[^1].Seq;
            reading = Task.Run(() => store.ReadRevisionsAsync(last, upToSeq, Aggregator.BatchSize));
            var run = new TallyRun(tally, inPlace: true);
            foreach (var revision in revisions) run.Fold(revision);
            after = run.LastSeq;
        }
        tally.SetState(new AggregationState(after, ""));
        return tally;
    }

    /// <summary>Every group's totals as store rows (a rebuild replaces them all).</summary>
    public static IReadOnlyCollection<TotalsRow> AllTotals(Tally tally, long version)
    {
        var rows = new List<TotalsRow>(tally.Election.Regions.Count * tally.Contests.Length);
        foreach (var contest in tally.Contests)
            for (var region = 0; region < tally.Election.Regions.Count; region++)
            {
                var row = contest.Region(region);
                rows.Add(new TotalsRow(contest.Contest.Id, tally.Election.Regions.Id[region], version,
                    row[ContestTally.Reported], row[ContestTally.Quarantined], row[ContestTally.Valid],
                    row[ContestTally.Invalid], row[ContestTally.FirstVote..].ToArray()));
            }
        return rows;
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Totals loaded at seq {Checkpoint}, epoch {Epoch}, in {ElapsedMs} ms")]
    private static partial void LogLoaded(ILogger logger, long checkpoint, string epoch, long elapsedMs);
}

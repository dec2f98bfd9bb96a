using BenchmarkDotNet.Attributes;
using Broadcast.Aggregation;
using Broadcast.History;
using Broadcast.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Broadcast.Benchmarks;

/// <summary>
/// The totals as of a past moment over the whole 2019 night in memory (803,012 forms, then
/// 6,182 corrections): the newest-first fold of every revision up to the moment into a fresh
/// contest tally, which is what a look at a moment not looked at before costs (the national
/// snapshot is then read out of that tally).
/// </summary>
[MemoryDiagnoser]
public class AsOfBenchmarks
{
    private RevisionHistory _history = null!;

    /// <summary>A quarter, half and all of the night (the last moment includes the corrections).</summary>
    [Params(200_000, 400_000, 809_194)]
    public long Seq { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var election = BenchData.Election;
        var night = BenchData.Night;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var revisions = night.Select((form, i) =>
        {
            var revision = seen[form.Station] = seen.GetValueOrDefault(form.Station) + 1;
            return BenchData.ToRevision(form, i + 1, revision);
        });
        // No store: the history is filled directly, as its catch-up would from the store.
        _history = new RevisionHistory(null!, election, Options.Create(new HistoryOptions()), NullLogger<RevisionHistory>.Instance);
        _history.Append(revisions);
    }

    [Benchmark]
    public long FoldAsOf()
    {
        var totals = new ContestTally(BenchData.Election.Contests[0], BenchData.Election.Regions.Count, BenchData.Election.Stations.Count);
        _history.FoldInto(totals, Seq);
        return totals.Region(0)[ContestTally.Reported];
    }
}

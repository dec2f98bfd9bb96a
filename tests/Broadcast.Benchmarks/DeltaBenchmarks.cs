using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using System.Buffers;
using BenchmarkDotNet.Attributes;
using Broadcast.Aggregation;
using Broadcast.Results;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Broadcast.Benchmarks;

/// <summary>
/// The push side of one aggregation run: building its deltas from the live tally, then the
/// per-group serialization of a national delta and snapshot with each hub protocol.
/// The tally holds the first quarter of the night (200,000 forms); the run folds the next
/// 400 forms (200 ms of ingest at 2,000 forms/s, one <c>Aggregation:MinRunInterval</c>).
/// </summary>
[MemoryDiagnoser]
public class DeltaBenchmarks
{
    public const int Preloaded = 200_000, RunForms = 400;

    // As the server configures it: lean frames leave their absent fields out.
    private readonly IHubProtocol _messagePack = new MessagePackHubProtocol(Microsoft.Extensions.Options.Options.Create(
        new Microsoft.AspNetCore.SignalR.MessagePackHubProtocolOptions { SerializerOptions = FrameSerialization.Options(FrameSerialization.SignalRDefaults) }));
    private readonly IHubProtocol _json = new JsonHubProtocol();
    private readonly ArrayBufferWriter<byte> _buffer = new(256 * 1024);
    private string _dbPath = null!;
    private ResultsView _view = null!;
    private TallyChanges _changes = null!;
    private TotalsChanged _nationalDelta = null!;
    private GroupChange _nationalChange = null!;
    private ResultsSnapshot _nationalSnapshot = null!;

    [GlobalSetup]
    public void Setup()
    {
        var election = BenchData.Election;
        // TallyHolder starts from a store; an empty SQLite file gives it empty totals.
        _dbPath = Path.Combine(Path.GetTempPath(), $"broadcast-bench-{Guid.NewGuid():N}.db");
        var store = new Storage.SqliteStore(_dbPath);
        var holder = new TallyHolder(store, election, new Audit.ChainStatus(), TimeProvider.System, NullLogger<TallyHolder>.Instance);
        holder.StartAsync(CancellationToken.None).GetAwaiter().GetResult();

        var night = BenchData.Night;
        var preload = new ScratchFold(holder.Tally);
        for (var i = Preloaded - 1; i >= 0; i--) preload.Fold(BenchData.ToRevision(night[i], i + 1));
        holder.Tally.SetState(new Storage.AggregationState(Preloaded, "bench"));

        // The night's first forms are all first revisions: the run replaces none.
        var run = new TallyRun(holder.Tally, new Dictionary<long, Storage.FormNumbers>());
        for (var i = Preloaded; i < Preloaded + RunForms; i++) run.Fold(BenchData.ToRevision(night[i], i + 1));
        _changes = holder.Tally.Apply(run, new Storage.AggregationState(run.LastSeq, "bench"));

        var history = new History.RevisionHistory(store, election, Options.Create(new History.HistoryOptions()), NullLogger<History.RevisionHistory>.Instance);
        var notices = new Cluster.ClusterNotices(Options.Create(new Cluster.ClusterOptions()), new ServiceCollection().BuildServiceProvider());
        var holds = new Publication.Holds(store, election, holder, notices, TimeProvider.System, NullLogger<Publication.Holds>.Instance);
        _view = new ResultsView(holder, election, store, holds, history, new History.AsOfTotals(history, store, election));
        var national = election.Regions.Id[Elections.RegionTree.National];
        _nationalChange = _view.Changes(_changes, _ => true).Single(d => d.Group == national);
        _nationalDelta = _nationalChange.ToTotalsChanged();
        _nationalSnapshot = _view.SnapshotAsync(Elections.ResultsGroup.Region(election.Contests[0], Elections.RegionTree.National)).GetAwaiter().GetResult();
        Console.WriteLine($"// run of {RunForms} forms: {_changes.GroupCount} changed groups; " +
            $"national delta {_nationalDelta.Children.Count} children, snapshot {_nationalSnapshot.Children.Count} children");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_dbPath + suffix);
    }

    [Benchmark]
    public int BuildChanges() => _view.Changes(_changes, _ => true).Count;

    [Benchmark]
    public int LeanDeltaMessagePack() => Write(_messagePack, new InvocationMessage("Delta", [_nationalChange.ToDelta()]));

    [Benchmark]
    public int HeadlineMessagePack() => Write(_messagePack, new InvocationMessage("Headline", [_nationalChange.ToHeadline()]));

    [Benchmark]
    public int DeltaMessagePack() => Write(_messagePack, new InvocationMessage("TotalsChanged", [_nationalDelta]));

    [Benchmark]
    public int DeltaJson() => Write(_json, new InvocationMessage("TotalsChanged", [_nationalDelta]));

    // Subscribe answers with the snapshot as the invocation's completion.
    [Benchmark]
    public int SnapshotMessagePack() => Write(_messagePack, CompletionMessage.WithResult("1", _nationalSnapshot));

    [Benchmark]
    public int SnapshotJson() => Write(_json, CompletionMessage.WithResult("1", _nationalSnapshot));

    private int Write(IHubProtocol protocol, HubMessage message)
    {
        _buffer.ResetWrittenCount();
        protocol.WriteMessage(message, _buffer);
        return _buffer.WrittenCount;
    }
}

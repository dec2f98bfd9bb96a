using System.Collections.Concurrent;
using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Push;
using Broadcast.Storage;

namespace Broadcast.Results;

/// <summary>
/// Reads snapshots and deltas out of the live tally, in the shapes clients see: region groups
/// here, dapil and parliament groups in ResultsView.Legislative.cs.
/// </summary>
public sealed partial class ResultsView(TallyHolder holder, Election election, FormStore store, Publication.Holds holds,
    History.RevisionHistory history, History.AsOfTotals asOf)
{
    /// <summary>Bounds the snapshot cache; a crawler walking all 90k regions only empties it.</summary>
    private const int MaxCachedSnapshots = 10_000;

    // A group's snapshot only changes with its (epoch, version), so a cached one is valid while
    // those match. The entry is created before the snapshot is built (Lazy), so a reconnect storm
    // of thousands of Subscribe calls for one group at one version builds it once, not once per
    // caller that arrived before the first build finished.
    private sealed record CachedSnapshot(string Epoch, long Version, Lazy<Task<ResultsSnapshot>> Snapshot);

    private readonly ConcurrentDictionary<(int Contest, GroupKind Kind, int Index), CachedSnapshot> _snapshots = new();

    /// <summary>
    /// The group's epoch and version, without building anything (ETags, change checks). A held
    /// group's are its hold's: an epoch of its own and the hold's seq, until the release.
    /// </summary>
    public (string Epoch, long Version) Version(ResultsGroup group) =>
        holder.Tally.Read(tally => holds.Covering(group) is { } hold
            ? (HeldEpoch(tally.State.Epoch), hold.Seq)
            : (tally.State.Epoch, VersionOf(tally.Contests[group.Contest.Index], group)));

    /// <summary>
    /// The epoch of what a held group shows: not the live one, so no live delta applies to it and
    /// its viewers, told <c>TotalsRebuilt</c> at the release, take a fresh snapshot.
    /// </summary>
    public static string HeldEpoch(string epoch) => epoch + "-held";

    private static long VersionOf(ContestTally totals, ResultsGroup group) => group.Kind switch
    {
        GroupKind.Dapil => totals.DapilVersions[group.Index],
        GroupKind.Parliament => totals.ParliamentVersion(group.Parliament),
        _ => totals.RegionVersions[group.Index],
    };

    public Task<ResultsSnapshot> SnapshotAsync(ResultsGroup group)
    {
        var (epoch, version) = Version(group);
        var key = (group.Contest.Index, group.Kind, group.Index);
        if (_snapshots.TryGetValue(key, out var cached) && cached.Epoch == epoch && cached.Version == version)
            return cached.Snapshot.Value;
        if (_snapshots.Count >= MaxCachedSnapshots) _snapshots.Clear();
        var fresh = new CachedSnapshot(epoch, version, new Lazy<Task<ResultsSnapshot>>(() => BuildAsync(group)));
        var entry = _snapshots.AddOrUpdate(key, fresh, (_, current) => current.Epoch == epoch && current.Version == version ? current : fresh);
        var snapshot = entry.Snapshot.Value;
        // A village's stations come from the store: if that failed, the next caller tries again.
        if (snapshot.IsFaulted) _snapshots.TryRemove(KeyValuePair.Create(key, entry));
        return snapshot;
    }

    /// <summary>Snapshots built since start-up (a reconnect storm must not multiply them).</summary>
    internal long SnapshotsBuilt => Interlocked.Read(ref _built);
    private long _built;

    private async Task<ResultsSnapshot> BuildAsync(ResultsGroup group)
    {
        Interlocked.Increment(ref _built);
        if (holds.Covering(group) is { } hold) return await BuildHeldAsync(group, hold);
        var (snapshot, stations) = holder.Tally.Read(tally =>
        {
            var (built, stations) = Build(tally.Contests[group.Contest.Index], tally.State.Epoch, group);
            // The chain link of the group's version: the revision its numbers were folded up to.
            return (built with { Chain = tally.ChainAt(built.Version) }, stations);
        });
        return await WithStationsAsync(snapshot, group.Contest, stations);
    }

    /// <summary>A held group as it was at the hold's seq: folded from the log up to it (the totals as of a past moment).</summary>
    private async Task<ResultsSnapshot> BuildHeldAsync(ResultsGroup group, Publication.Hold hold)
    {
        await history.CatchUpAsync(); // the hold's seq is stored, but this node may not have read it into its history yet
        var epoch = HeldEpoch(holder.Tally.State.Epoch);
        var unfinished = await asOf.ReadAsync(group.Contest, hold.Seq, totals => SnapshotOf(group, totals, epoch, hold.Seq));
        var snapshot = await FinishAsync(unfinished);
        var chain = await ChainAtAsync(hold.Seq);
        return snapshot with { Chain = chain, Held = new HeldView(hold.Seq, hold.Since.ToString("O", System.Globalization.CultureInfo.InvariantCulture)) };
    }

    /// <summary>
    /// The chain link of the totals folded up to <paramref name="seq"/> (a hold's, a past moment's): the
    /// stored revision at that seq; null before the first. The live tally keeps its versions' links
    /// (<see cref="Tally.ChainAt"/>); these moments are read from the store.
    /// </summary>
    public async Task<ChainHead?> ChainAtAsync(long seq) =>
        seq > 0 && await store.ReadRevisionsAsync([seq]) is [{ Hash: { } hash }] ? new ChainHead(seq, RevisionChain.Hex(hash)) : null;

    /// <summary>
    /// A group's snapshot out of totals nobody changes any more (the totals as of a past moment),
    /// stamped <paramref name="epoch"/> and <paramref name="version"/> (no chain link: the caller
    /// knows the revision it was folded up to), in two steps: what is read
    /// out of the totals (<see cref="Unfinished.Snapshot"/>), then a village's stations' numbers
    /// from the store (<see cref="FinishAsync"/>), for which the totals are no longer needed.
    /// </summary>
    public Unfinished SnapshotOf(ResultsGroup group, ContestTally totals, string epoch, long version)
    {
        var (snapshot, stations) = Build(totals, epoch, group);
        return new Unfinished(group.Contest, snapshot with { Version = version }, stations);
    }

    public Task<ResultsSnapshot> FinishAsync(Unfinished unfinished) =>
        WithStationsAsync(unfinished.Snapshot, unfinished.Contest, unfinished.Stations);

    /// <summary>A snapshot read out of a tally, but for a village's stations' numbers (read from the store).</summary>
    public sealed record Unfinished(Contest Contest, ResultsSnapshot Snapshot, List<(int Station, StationFlags Flags, long Seq)> Stations);

    private (ResultsSnapshot Snapshot, List<(int Station, StationFlags Flags, long Seq)> Stations) Build(ContestTally totals, string epoch, ResultsGroup group) =>
        group.Kind switch
        {
            GroupKind.Dapil => (BuildDapil(totals, epoch, group.Dapil), []),
            GroupKind.Parliament => (BuildParliament(totals, epoch, group.Parliament), []),
            _ => BuildRegion(totals, epoch, group.Contest, group.Index),
        };

    /// <summary>A village's children are its stations, whose counted numbers are in the store (the tally keeps only which revision is counted).</summary>
    private async Task<ResultsSnapshot> WithStationsAsync(ResultsSnapshot snapshot, Contest contest, List<(int Station, StationFlags Flags, long Seq)> stations)
    {
        if (stations.Count == 0) return snapshot;
        var counted = stations.Where(s => s.Seq > 0).Select(s => s.Seq).ToList();
        var numbers = counted.Count == 0 ? [] : (await store.ReadRevisionsAsync(counted)).ToDictionary(r => r.Seq, r => r.Numbers);
        return snapshot with
        {
            Children = stations.Select(s => StationChild(contest, s.Station, s.Flags, numbers.GetValueOrDefault(s.Seq))).ToList(),
        };
    }

    private (ResultsSnapshot Snapshot, List<(int Station, StationFlags Flags, long Seq)> Stations) BuildRegion(ContestTally totals, string epoch, Contest contest, int region)
    {
        var regions = election.Regions;
        var stations = new List<(int, StationFlags, long)>();
        List<ChildResults> children = [];
        if (regions.Level[region] != RegionLevel.Village)
            children = regions.Children[region].Where(contest.Covers).Select(child => RegionChild(contest, totals, child)).ToList();
        else if (regions.FirstStation[region] is var first and >= 0 && contest.BallotOfVillage(region) is not null)
            for (var s = first; s < first + regions.StationCount[region]; s++)
                stations.Add((s, totals.StationState[s], totals.CountedSeq[s]));
        var row = totals.Region(region);
        var snapshot = new ResultsSnapshot(contest.Id, Ref(region), Parents(region, includeSelf: false), epoch,
            totals.RegionVersions[region], Counts(contest, totals, region), Votes(contest.Columns(region), row),
            row[ContestTally.Valid], row[ContestTally.Invalid], children);
        return (snapshot, stations);
    }

    /// <summary>
    /// One <see cref="GroupChange"/> per group a run that was just applied changed, for the groups
    /// <paramref name="wanted"/> (by group name): what every frame to their viewers is made from.
    /// </summary>
    public IReadOnlyList<GroupChange> Changes(TallyChanges changes, Func<string, bool> wanted) => holder.Tally.Read(tally =>
    {
        var result = new List<GroupChange>();
        foreach (var contestChanges in changes.Contests)
        {
            var totals = tally.Contests[contestChanges.Contest];
            var contest = totals.Contest;
            Dictionary<int, Dictionary<string, ChildUpdate>>? changedChildren = null;
            foreach (var (region, before) in contestChanges.Regions)
            {
                var id = election.Regions.Id[region];
                if (!wanted(GroupNames.Results(contest.Id, id))) continue;
                changedChildren ??= ChangedChildren(totals, contestChanges);
                var row = totals.Region(region);
                result.Add(new GroupChange(contest.Id, id, tally.State.Epoch, before.PreviousVersion, totals.RegionVersions[region],
                    Counts(contest, totals, region), Votes(contest.Columns(region), row), row[ContestTally.Valid], row[ContestTally.Invalid],
                    changedChildren.TryGetValue(region, out var children) ? children : [], null, null, tally.ChainAt(totals.RegionVersions[region])));
            }
            if (contestChanges.Dapils.Count > 0) LegislativeChanges(tally, totals, contestChanges, wanted, result);
        }
        return result;
    });

    /// <summary>The changed children of every changed region, by parent: regions with their values before the run, stations whole.</summary>
    private Dictionary<int, Dictionary<string, ChildUpdate>> ChangedChildren(ContestTally totals, ContestChanges changes)
    {
        var byParent = new Dictionary<int, Dictionary<string, ChildUpdate>>();
        void Add(int parent, ChildUpdate child)
        {
            if (!byParent.TryGetValue(parent, out var children)) byParent[parent] = children = [];
            children[child.Now.Id] = child;
        }
        var contest = totals.Contest;
        var places = ChildPlaces(contest);
        foreach (var (region, before) in changes.Regions)
            if (election.Regions.Parent[region] is var parent and >= 0)
                Add(parent, Moved(places[region], RegionChild(contest, totals, region), before.PreviousRow, Votes(contest.Columns(region), before.PreviousRow)));
        // A station's numbers before the run are those of its earlier form, which nothing here
        // holds: its viewers get its values now.
        foreach (var (station, numbers) in changes.Stations)
        {
            var village = election.Stations.Village[station];
            Add(village, new ChildUpdate(station - election.Regions.FirstStation[village],
                StationChild(contest, station, totals.StationState[station], numbers), null));
        }
        return byParent;
    }

    /// <summary>
    /// Per contest, each region's place among the children of its parent's snapshot (those the
    /// contest covers, in tree order), which is how packed frames name a child.
    /// </summary>
    private int[] ChildPlaces(Contest contest) => _childPlaces.GetOrAdd(contest.Index, _ =>
    {
        var regions = election.Regions;
        var places = new int[regions.Count];
        Array.Fill(places, -1);
        for (var parent = 0; parent < regions.Count; parent++)
        {
            var place = 0;
            foreach (var child in regions.Children[parent])
                if (contest.Covers(child)) places[child] = place++;
        }
        return places;
    });

    private readonly ConcurrentDictionary<int, int[]> _childPlaces = new();

    /// <summary>A child at <paramref name="index"/> now, and as it was when its row was <paramref name="previousRow"/> (whose votes read as <paramref name="previousVotes"/>).</summary>
    internal static ChildUpdate Moved(int index, ChildResults now, ReadOnlySpan<long> previousRow, Dictionary<string, long> previousVotes) =>
        new(index, now, now with
        {
            Stations = now.Stations with { Reported = previousRow[ContestTally.Reported], Quarantined = previousRow[ContestTally.Quarantined] },
            Votes = previousVotes,
            Valid = previousRow[ContestTally.Valid],
            Invalid = previousRow[ContestTally.Invalid],
        });

    private ChildResults RegionChild(Contest contest, ContestTally totals, int region)
    {
        var row = totals.Region(region);
        return new ChildResults(election.Regions.Id[region], election.Regions.Name[region],
            RegionTree.LevelName(election.Regions.Level[region]), Counts(contest, totals, region), Votes(contest.Columns(region), row),
            row[ContestTally.Valid], row[ContestTally.Invalid]);
    }

    /// <summary>A station as a child of its village: its counted numbers summed into the village's columns (a party's: its own and its candidates').</summary>
    private ChildResults StationChild(Contest contest, int station, StationFlags state, FormNumbers? numbers)
    {
        var village = election.Stations.Village[station];
        var columns = contest.Columns(village);
        var votes = new Dictionary<string, long>(columns.Count);
        foreach (var column in columns) votes[column.Id] = 0;
        var counted = (state & StationFlags.Counted) != 0 && numbers is not null;
        if (counted && contest.BallotOfVillage(village) is { } ballot)
            for (var e = 0; e < ballot.Width; e++) votes[columns[ballot.Column[e]].Id] += numbers!.Votes[e];
        return new ChildResults(election.StationId(station), $"TPS {election.Stations.Number[station]}", "tps",
            new StationCounts(1, counted ? 1 : 0, (state & StationFlags.Pending) != 0 ? 1 : 0), votes,
            counted ? numbers!.Valid : 0, counted ? numbers!.Invalid : 0);
    }

    private static StationCounts Counts(Contest contest, ContestTally totals, int region)
    {
        var row = totals.Region(region);
        return new StationCounts(contest.StationCount[region], row[ContestTally.Reported], row[ContestTally.Quarantined]);
    }

    /// <summary>A row's votes keyed by its columns' ids.</summary>
    private static Dictionary<string, long> Votes(IReadOnlyList<Choice> columns, ReadOnlySpan<long> row)
    {
        var votes = new Dictionary<string, long>(columns.Count);
        for (var i = 0; i < columns.Count; i++) votes[columns[i].Id] = row[ContestTally.FirstVote + i];
        return votes;
    }

    /// <summary>The region's ancestors from the nation down (and the region itself with <paramref name="includeSelf"/>): breadcrumbs.</summary>
    private List<RegionRef> Parents(int region, bool includeSelf)
    {
        var parents = new List<RegionRef>();
        for (var p = includeSelf ? region : election.Regions.Parent[region]; p >= 0; p = election.Regions.Parent[p]) parents.Insert(0, Ref(p));
        return parents;
    }

    private RegionRef Ref(int region) =>
        new(election.Regions.Id[region], election.Regions.Name[region], RegionTree.LevelName(election.Regions.Level[region]));
}

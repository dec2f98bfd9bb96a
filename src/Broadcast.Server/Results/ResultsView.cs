using System.Collections.Concurrent;
using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Push;

namespace Broadcast.Results;

/// <summary>Reads snapshots and deltas out of the live tally, in the shapes clients see.</summary>
public sealed class ResultsView(TallyHolder holder, Election election)
{
    /// <summary>Bounds the snapshot cache; a crawler walking all 90k regions only empties it.</summary>
    private const int MaxCachedSnapshots = 10_000;

    // A group's snapshot only changes with its (epoch, version), so a cached one is valid while
    // those match. The entry is created before the snapshot is built (Lazy), so a reconnect storm
    // of thousands of Subscribe calls for one group at one version builds it once, not once per
    // caller that arrived before the first build finished.
    private sealed record CachedSnapshot(string Epoch, long Version, Lazy<ResultsSnapshot> Snapshot);

    private readonly ConcurrentDictionary<(int Contest, int Region), CachedSnapshot> _snapshots = new();

    /// <summary>The group's epoch and version, without building anything (ETags, change checks).</summary>
    public (string Epoch, long Version) Version(Contest contest, int region) =>
        holder.Tally.Read(tally => (tally.State.Epoch, tally.Contests[contest.Index].RegionVersions[region]));

    public ResultsSnapshot Snapshot(Contest contest, int region)
    {
        var (epoch, version) = Version(contest, region);
        var key = (contest.Index, region);
        if (_snapshots.TryGetValue(key, out var cached) && cached.Epoch == epoch && cached.Version == version)
            return cached.Snapshot.Value;
        if (_snapshots.Count >= MaxCachedSnapshots) _snapshots.Clear();
        var fresh = new CachedSnapshot(epoch, version, new Lazy<ResultsSnapshot>(() => Build(contest, region)));
        return _snapshots.AddOrUpdate(key, fresh,
            (_, current) => current.Epoch == epoch && current.Version == version ? current : fresh).Snapshot.Value;
    }

    /// <summary>Snapshots built since start-up (a reconnect storm must not multiply them).</summary>
    internal long SnapshotsBuilt => Interlocked.Read(ref _built);
    private long _built;

    private ResultsSnapshot Build(Contest contest, int region) => holder.Tally.Read(tally =>
    {
        Interlocked.Increment(ref _built);
        var totals = tally.Contests[contest.Index];
        var regions = election.Regions;
        var parents = new List<RegionRef>();
        for (var p = regions.Parent[region]; p >= 0; p = regions.Parent[p]) parents.Insert(0, Ref(p));
        return new ResultsSnapshot(contest.Id, Ref(region), parents, tally.State.Epoch, totals.RegionVersions[region],
            Counts(totals, region), Votes(totals, region), totals.Region(region)[ContestTally.Valid],
            totals.Region(region)[ContestTally.Invalid], AllChildren(totals, region));
    });

    /// <summary>One delta per changed group of a run that was just applied, for the groups <paramref name="wanted"/> (by group name).</summary>
    public IReadOnlyList<TotalsChanged> Deltas(TallyChanges changes, Func<string, bool> wanted) => holder.Tally.Read(tally =>
    {
        var deltas = new List<TotalsChanged>();
        foreach (var contestChanges in changes.Contests)
        {
            var totals = tally.Contests[contestChanges.Contest];
            Dictionary<int, List<ChildResults>>? changedChildren = null;
            foreach (var (region, previous) in contestChanges.Regions)
            {
                if (!wanted(GroupNames.Results(totals.Contest.Id, election.Regions.Id[region]))) continue;
                changedChildren ??= ChangedChildren(totals, contestChanges);
                var row = totals.Region(region);
                deltas.Add(new TotalsChanged(totals.Contest.Id, election.Regions.Id[region], tally.State.Epoch, previous,
                    totals.RegionVersions[region], Counts(totals, region), Votes(totals, region),
                    row[ContestTally.Valid], row[ContestTally.Invalid],
                    changedChildren.TryGetValue(region, out var children) ? children : []));
            }
        }
        return deltas;
    });

    private Dictionary<int, List<ChildResults>> ChangedChildren(ContestTally totals, ContestChanges changes)
    {
        var byParent = new Dictionary<int, List<ChildResults>>();
        void Add(int parent, ChildResults child)
        {
            if (!byParent.TryGetValue(parent, out var list)) byParent[parent] = list = [];
            list.Add(child);
        }
        foreach (var region in changes.Regions.Keys)
            if (election.Regions.Parent[region] is var parent and >= 0) Add(parent, RegionChild(totals, region));
        foreach (var station in changes.Stations)
            Add(election.Stations.Village[station], StationChild(totals, station));
        return byParent;
    }

    private List<ChildResults> AllChildren(ContestTally totals, int region)
    {
        var regions = election.Regions;
        if (regions.Level[region] != RegionLevel.Village)
            return regions.Children[region].Select(child => RegionChild(totals, child)).ToList();
        var first = regions.FirstStation[region];
        return first < 0 ? [] : Enumerable.Range(first, regions.StationCount[region]).Select(s => StationChild(totals, s)).ToList();
    }

    private ChildResults RegionChild(ContestTally totals, int region)
    {
        var row = totals.Region(region);
        return new ChildResults(election.Regions.Id[region], election.Regions.Name[region],
            RegionTree.LevelName(election.Regions.Level[region]), Counts(totals, region), Votes(totals, region),
            row[ContestTally.Valid], row[ContestTally.Invalid]);
    }

    private ChildResults StationChild(ContestTally totals, int station)
    {
        var state = totals.StationState[station];
        var counted = (state & StationFlags.Counted) != 0;
        var numbers = totals.Station(station);
        var votes = new Dictionary<string, long>(totals.Contest.Choices.Count);
        for (var i = 0; i < totals.Contest.Choices.Count; i++)
            votes[totals.Contest.Choices[i].Id] = counted ? numbers[ContestTally.StationFirstVote + i] : 0;
        return new ChildResults(election.StationId(station), $"TPS {election.Stations.Number[station]}", "tps",
            new StationCounts(1, counted ? 1 : 0, (state & StationFlags.Pending) != 0 ? 1 : 0), votes,
            counted ? numbers[ContestTally.StationValid] : 0, counted ? numbers[ContestTally.StationInvalid] : 0);
    }

    private StationCounts Counts(ContestTally totals, int region)
    {
        var row = totals.Region(region);
        return new StationCounts(election.Regions.StationCount[region], row[ContestTally.Reported], row[ContestTally.Quarantined]);
    }

    private static Dictionary<string, long> Votes(ContestTally totals, int region)
    {
        var row = totals.Region(region);
        var votes = new Dictionary<string, long>(totals.Contest.Choices.Count);
        for (var i = 0; i < totals.Contest.Choices.Count; i++)
            votes[totals.Contest.Choices[i].Id] = row[ContestTally.FirstVote + i];
        return votes;
    }

    private RegionRef Ref(int region) =>
        new(election.Regions.Id[region], election.Regions.Name[region], RegionTree.LevelName(election.Regions.Level[region]));
}

using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Aggregation;

/// <summary>
/// Folds revisions, in seq order, on top of a tally without touching it: changed rows are
/// copied into an overlay, so a run that fails to commit leaves the live tally as it was.
/// The fold is the one definition of what the totals are: incremental runs, rebuilds and
/// reconciliation all use it.
/// </summary>
public sealed class TallyRun
{
    private readonly Tally _base;
    private readonly Dictionary<int, long[]>[] _regions;
    private readonly Dictionary<int, (StationFlags Flags, int[] Numbers)>[] _stations;

    /// <param name="inPlace">
    /// Fold straight into <paramref name="baseTally"/>'s arrays, without an overlay: only for a
    /// tally nobody reads yet (start-up, rebuild), where it makes a full fold several times faster.
    /// </param>
    public TallyRun(Tally baseTally, bool inPlace = false)
    {
        _base = baseTally;
        _inPlace = inPlace;
        _regions = baseTally.Contests.Select(_ => new Dictionary<int, long[]>()).ToArray();
        _stations = baseTally.Contests.Select(_ => new Dictionary<int, (StationFlags, int[])>()).ToArray();
    }

    private readonly bool _inPlace;

    public int Folded { get; private set; }
    /// <summary>Revisions this election does not know (another contest or station list); never expected.</summary>
    public int Skipped { get; private set; }
    public long LastSeq { get; private set; }

    public void Fold(StoredRevision revision)
    {
        LastSeq = Math.Max(LastSeq, revision.Seq);
        var election = _base.Election;
        var contest = election.FindContest(revision.Contest);
        if (contest is null || election.FindStation(revision.Station) is not { } station
            || revision.Numbers.Votes.Length != contest.Choices.Count)
        {
            Skipped++;
            return;
        }

        var c = contest.Index;
        var tally = _base.Contests[c];
        StationFlags flags;
        ReadOnlySpan<int> numbers;
        if (!_inPlace && _stations[c].TryGetValue(station, out var changed))
        {
            flags = changed.Flags;
            numbers = changed.Numbers;
        }
        else
        {
            flags = tally.StationState[station];
            numbers = tally.Station(station);
        }

        Span<long> delta = stackalloc long[tally.RegionWidth];
        delta.Clear();
        var pending = (flags & StationFlags.Pending) != 0;
        StationFlags nextFlags;
        int[]? next = null;
        if (revision.Status == FormStatus.Counted)
        {
            var counted = (flags & StationFlags.Counted) != 0;
            next = new int[tally.StationWidth];
            next[ContestTally.StationValid] = revision.Numbers.Valid;
            next[ContestTally.StationInvalid] = revision.Numbers.Invalid;
            revision.Numbers.Votes.CopyTo(next, ContestTally.StationFirstVote);
            // A correction replaces the counted revision: subtract the old, add the new.
            for (var i = 0; i < next.Length; i++)
                delta[ContestTally.Valid + i] = next[i] - (counted ? numbers[i] : 0);
            delta[ContestTally.Reported] = counted ? 0 : 1;
            delta[ContestTally.Quarantined] = pending ? -1 : 0;
            nextFlags = StationFlags.Counted;
        }
        else
        {
            // The last counted revision (if any) stays in the totals; the station is marked pending.
            delta[ContestTally.Quarantined] = pending ? 0 : 1;
            nextFlags = flags | StationFlags.Pending;
        }
        if (delta.IndexOfAnyExcept(0L) < 0 && nextFlags == flags) return; // nothing moved

        if (_inPlace)
        {
            tally.StationState[station] = nextFlags;
            next?.CopyTo(tally.StationNumbers, station * tally.StationWidth);
        }
        else
        {
            _stations[c][station] = (nextFlags, next ?? numbers.ToArray());
        }
        for (var r = election.Stations.Village[station]; r >= 0; r = election.Regions.Parent[r])
        {
            var row = RegionRow(c, tally, r);
            for (var i = 0; i < row.Length; i++) row[i] += delta[i];
        }
        Folded++;
    }

    private Span<long> RegionRow(int contest, ContestTally tally, int region)
    {
        if (_inPlace) return tally.RegionTotals.AsSpan(region * tally.RegionWidth, tally.RegionWidth);
        if (!_regions[contest].TryGetValue(region, out var row))
            _regions[contest][region] = row = tally.Region(region).ToArray();
        return row;
    }

    /// <summary>The changed groups as store rows, stamped with <paramref name="version"/>.</summary>
    public IReadOnlyCollection<TotalsRow> ChangedTotals(long version)
    {
        var rows = new List<TotalsRow>();
        var election = _base.Election;
        for (var c = 0; c < _regions.Length; c++)
            foreach (var (region, row) in _regions[c])
                rows.Add(new TotalsRow(election.Contests[c].Id, election.Regions.Id[region], version,
                    row[ContestTally.Reported], row[ContestTally.Quarantined], row[ContestTally.Valid],
                    row[ContestTally.Invalid], row[ContestTally.FirstVote..]));
        return rows;
    }

    /// <summary>Writes the overlay into <paramref name="tally"/>; called by <see cref="Tally.Apply"/> under its write lock.</summary>
    internal TallyChanges ApplyTo(Tally tally, long version, IReadOnlyDictionary<(int Contest, int Region), long>? storedVersions)
    {
        var contests = new List<ContestChanges>(_regions.Length);
        for (var c = 0; c < _regions.Length; c++)
        {
            var target = tally.Contests[c];
            var previous = new Dictionary<int, long>(_regions[c].Count);
            foreach (var (region, row) in _regions[c])
            {
                previous[region] = target.RegionVersions[region];
                target.RegionVersions[region] = storedVersions is not null && storedVersions.TryGetValue((c, region), out var stored) ? stored : version;
                row.CopyTo(target.RegionTotals, region * target.RegionWidth);
            }
            foreach (var (station, (flags, numbers)) in _stations[c])
            {
                target.StationState[station] = flags;
                numbers.CopyTo(target.StationNumbers, station * target.StationWidth);
            }
            contests.Add(new ContestChanges(c, previous, _stations[c].Keys));
        }
        return new TallyChanges(version, contests);
    }
}

using Broadcast.Elections;
using Broadcast.Seats;
using Broadcast.Storage;

namespace Broadcast.Aggregation;

/// <summary>
/// Folds revisions, in seq order, on top of a tally without touching it: changed rows are
/// copied into an overlay, so a run that fails to commit leaves the live tally as it was.
/// The fold is the one definition of what the totals are (<see cref="ScratchFold"/> is its
/// newest-first equivalent for a tally built from nothing): a station's counted revision adds
/// its numbers to every ancestor region (into the region's columns) and to its dapil (entry by
/// entry); a correction first subtracts the revision it replaces, whose numbers the caller
/// reads from the store beforehand (<see cref="CountedSeqsToRead"/>).
/// </summary>
public sealed class TallyRun
{
    private readonly Tally _base;
    private readonly IReadOnlyDictionary<long, FormNumbers> _replaced;
    private readonly Dictionary<int, long[]>[] _regions;
    private readonly Dictionary<int, long[]>[] _dapils;
    private readonly Dictionary<int, StationRecord>[] _stations;
    private readonly Dictionary<int, SeatProjection>[] _seats;

    private readonly record struct StationRecord(StationFlags Flags, long CountedSeq, FormNumbers? Counted);

    /// <param name="replaced">The numbers of the counted revisions this run may replace, by seq (see <see cref="CountedSeqsToRead"/>).</param>
    public TallyRun(Tally baseTally, IReadOnlyDictionary<long, FormNumbers> replaced)
    {
        _base = baseTally;
        _replaced = replaced;
        _regions = baseTally.Contests.Select(_ => new Dictionary<int, long[]>()).ToArray();
        _dapils = baseTally.Contests.Select(_ => new Dictionary<int, long[]>()).ToArray();
        _stations = baseTally.Contests.Select(_ => new Dictionary<int, StationRecord>()).ToArray();
        _seats = baseTally.Contests.Select(_ => new Dictionary<int, SeatProjection>()).ToArray();
    }

    public int Folded { get; private set; }
    /// <summary>Revisions this election does not know (another contest, station list or ballot); never expected.</summary>
    public int Skipped { get; private set; }
    public long LastSeq { get; private set; }
    /// <summary>The chain hash of the revision at <see cref="LastSeq"/>: the head the run commits (made once, not per revision folded).</summary>
    public string ChainHead => RevisionChain.Hex(_hashes.GetValueOrDefault(LastSeq));
    /// <summary>The chain hash of every revision folded: the groups' new versions are seqs of this run.</summary>
    private readonly Dictionary<long, byte[]?> _hashes = [];

    /// <summary>
    /// The seqs of the counted revisions that <paramref name="revisions"/> may replace: those of
    /// their stations that are in the totals now. Read them from the store and pass them in.
    /// Called by the one writer of the tally, so its station state is stable meanwhile.
    /// </summary>
    public static IReadOnlyCollection<long> CountedSeqsToRead(Tally tally, IEnumerable<StoredRevision> revisions)
    {
        var seqs = new HashSet<long>();
        foreach (var revision in revisions)
        {
            if (Locate(tally.Election, revision) is not var (contest, station, _)) continue;
            var totals = tally.Contests[contest.Index];
            if ((totals.StationState[station] & StationFlags.Counted) != 0) seqs.Add(totals.CountedSeq[station]);
        }
        return seqs;
    }

    /// <summary>The revision's contest, station and ballot, or null when this election cannot count it.</summary>
    internal static (Contest Contest, int Station, Ballot Ballot)? Locate(Election election, StoredRevision revision)
    {
        if (election.FindContest(revision.Contest) is not { } contest || election.FindStation(revision.Station) is not { } station
            || contest.BallotOfVillage(election.Stations.Village[station]) is not { } ballot
            || revision.Numbers.Votes.Length != ballot.Width)
            return null;
        return (contest, station, ballot);
    }

    public void Fold(StoredRevision revision)
    {
        LastSeq = Math.Max(LastSeq, revision.Seq);
        _hashes[revision.Seq] = revision.Hash;
        if (Locate(_base.Election, revision) is not var (contest, station, ballot))
        {
            Skipped++;
            return;
        }

        var c = contest.Index;
        var tally = _base.Contests[c];
        if (!_stations[c].TryGetValue(station, out var current))
        {
            var flags = tally.StationState[station];
            var seq = tally.CountedSeq[station];
            current = new StationRecord(flags, seq, (flags & StationFlags.Counted) == 0 ? null
                : _replaced.TryGetValue(seq, out var numbers) ? numbers
                : throw new InvalidOperationException($"the counted revision {seq} of {revision.Station} was not read before the run"));
        }

        Span<long> counters = stackalloc long[ContestTally.FirstVote];
        Span<long> entries = stackalloc long[ballot.Width];
        counters.Clear();
        entries.Clear();
        var pending = (current.Flags & StationFlags.Pending) != 0;
        StationRecord next;
        if (revision.Status == FormStatus.Counted)
        {
            // A correction replaces the counted revision: subtract the old, add the new.
            var old = current.Counted;
            var numbers = revision.Numbers;
            counters[ContestTally.Reported] = old is null ? 1 : 0;
            counters[ContestTally.Quarantined] = pending ? -1 : 0;
            counters[ContestTally.Valid] = numbers.Valid - (old?.Valid ?? 0);
            counters[ContestTally.Invalid] = numbers.Invalid - (old?.Invalid ?? 0);
            for (var e = 0; e < entries.Length; e++) entries[e] = numbers.Votes[e] - (old?.Votes[e] ?? 0);
            next = new StationRecord(StationFlags.Counted, revision.Seq, numbers);
        }
        else if (revision.Status == FormStatus.Rejected)
        {
            // An operator rejected the quarantined revision: the station is no longer waiting for a decision.
            counters[ContestTally.Quarantined] = pending ? -1 : 0;
            next = current with { Flags = current.Flags & ~StationFlags.Pending };
        }
        else
        {
            // The last counted revision (if any) stays in the totals; the station is marked pending.
            counters[ContestTally.Quarantined] = pending ? 0 : 1;
            next = current with { Flags = current.Flags | StationFlags.Pending };
        }
        if (next == current) return; // nothing moved

        _stations[c][station] = next;
        if (counters.IndexOfAnyExcept(0L) >= 0 || entries.IndexOfAnyExcept(0L) >= 0)
        {
            for (var r = _base.Election.Stations.Village[station]; r >= 0; r = _base.Election.Regions.Parent[r])
                AddToRegion(Row(_regions[c], r, tally.Region), counters, entries, ballot, contest.ColumnSetOf(r) == ballot.ColumnSet);
            if (ballot.Dapil is { } dapil)
            {
                var row = Row(_dapils[c], dapil.Index, tally.Dapil);
                for (var i = 0; i < counters.Length; i++) row[i] += counters[i];
                for (var e = 0; e < entries.Length; e++) row[ContestTally.FirstVote + e] += entries[e];
            }
        }
        Folded++;
    }

    /// <summary>
    /// Projects the seats of every dapil whose votes moved in this run, and with a threshold
    /// (DPR) of every dapil once the national totals moved, since a party crossing it changes
    /// seats everywhere. A dapil whose seat picture changed counts as changed even if its votes
    /// did not: it gets the run's version, its row is stored with it, and its viewers a delta.
    /// Call once, after the last <see cref="Fold"/>.
    /// </summary>
    public void ProjectSeats()
    {
        for (var c = 0; c < _dapils.Length; c++)
        {
            var tally = _base.Contests[c];
            var contest = tally.Contest;
            if (contest.Dapils.Count == 0) continue;
            var national = _regions[c].TryGetValue(RegionTree.National, out var row) ? row : tally.Region(RegionTree.National).ToArray();
            var passes = SeatProjection.Passing(contest, national);
            var dapils = passes is not null && _regions[c].ContainsKey(RegionTree.National)
                ? Enumerable.Range(0, contest.Dapils.Count)
                : _dapils[c].Keys.ToList();
            foreach (var d in dapils)
            {
                var entries = (_dapils[c].TryGetValue(d, out var changed) ? changed : tally.Dapil(d).ToArray()).AsSpan(ContestTally.FirstVote);
                var projection = SeatProjection.Of(contest.Dapils[d], entries, passes);
                if (projection.Equals(tally.Seats[d])) continue;
                _seats[c][d] = projection;
                Row(_dapils[c], d, tally.Dapil);
            }
        }
    }

    /// <summary>Adds a station's change to a region's row: the counters, and each entry into its column where the region has them.</summary>
    internal static void AddToRegion(Span<long> row, ReadOnlySpan<long> counters, ReadOnlySpan<long> entries, Ballot ballot, bool columns)
    {
        for (var i = 0; i < counters.Length; i++) row[i] += counters[i];
        if (!columns) return;
        for (var e = 0; e < entries.Length; e++) row[ContestTally.FirstVote + ballot.Column[e]] += entries[e];
    }

    private delegate Span<long> RowOf(int index);

    private static long[] Row(Dictionary<int, long[]> overlay, int index, RowOf live)
    {
        if (!overlay.TryGetValue(index, out var row)) overlay[index] = row = live(index).ToArray();
        return row;
    }

    /// <summary>The changed groups as store rows, stamped with <paramref name="version"/>.</summary>
    public IReadOnlyCollection<TotalsRow> ChangedTotals(long version)
    {
        var rows = new List<TotalsRow>();
        var election = _base.Election;
        for (var c = 0; c < _regions.Length; c++)
        {
            var contest = election.Contests[c];
            foreach (var (region, row) in _regions[c]) rows.Add(TotalsRow.Of(contest.Id, election.Regions.Id[region], version, row));
            foreach (var (dapil, row) in _dapils[c]) rows.Add(TotalsRow.Of(contest.Id, contest.Dapils[dapil].GroupId, version, row));
        }
        return rows;
    }

    /// <summary>Writes the overlay into <paramref name="tally"/>; called by <see cref="Tally.Apply"/> under its write lock.</summary>
    internal TallyChanges ApplyTo(Tally tally, long version, IReadOnlyDictionary<GroupKey, long>? storedVersions)
    {
        var contests = new List<ContestChanges>(_regions.Length);
        for (var c = 0; c < _regions.Length; c++)
        {
            var target = tally.Contests[c];
            long VersionOf(GroupKind kind, int index)
            {
                var v = storedVersions is not null && storedVersions.TryGetValue(new GroupKey(c, kind, index), out var stored) ? stored : version;
                tally.RememberHead(v, _hashes.GetValueOrDefault(v));
                return v;
            }

            var regions = new Dictionary<int, RegionChange>(_regions[c].Count);
            foreach (var (region, row) in _regions[c])
            {
                regions[region] = new RegionChange(target.RegionVersions[region], target.Region(region).ToArray());
                target.RegionVersions[region] = VersionOf(GroupKind.Region, region);
                row.CopyTo(target.Region(region));
            }
            var dapils = new Dictionary<int, DapilChange>(_dapils[c].Count);
            foreach (var (dapil, row) in _dapils[c])
            {
                dapils[dapil] = new DapilChange(target.DapilVersions[dapil], target.Dapil(dapil).ToArray(), target.Seats[dapil]);
                target.DapilVersions[dapil] = VersionOf(GroupKind.Dapil, dapil);
                row.CopyTo(target.Dapil(dapil));
            }
            foreach (var (dapil, projection) in _seats[c]) target.Seats[dapil] = projection;
            var stations = new Dictionary<int, FormNumbers?>(_stations[c].Count);
            foreach (var (station, record) in _stations[c])
            {
                target.StationState[station] = record.Flags;
                target.CountedSeq[station] = record.CountedSeq;
                stations[station] = record.Counted;
            }
            contests.Add(new ContestChanges(c, regions, dapils, stations));
        }
        return new TallyChanges(version, contests);
    }
}

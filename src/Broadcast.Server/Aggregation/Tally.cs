using Broadcast.Elections;
using Broadcast.Seats;
using Broadcast.Storage;

namespace Broadcast.Aggregation;

/// <summary>
/// The live totals: for every contest, the totals of every region and dapil and the state of
/// every station, as of <see cref="State"/>. Changed only by <see cref="Apply"/> (one
/// writer, the aggregator) after the same change is committed to the store; read by
/// snapshots under <see cref="Read{T}"/>.
/// </summary>
public sealed class Tally
{
    private readonly ReaderWriterLockSlim _lock = new();
    /// <summary>The chain hash at every version a group has held: one per run, a few MB for a whole night.</summary>
    private Dictionary<long, byte[]> _heads = [];

    public Tally(Election election, AggregationState state)
    {
        Election = election;
        State = state;
        Contests = election.Contests.Select(c => new ContestTally(c, election.Regions.Count, election.Stations.Count)).ToArray();
    }

    public Election Election { get; }
    public AggregationState State { get; private set; }
    public ContestTally[] Contests { get; private set; }

    /// <summary>
    /// The link of the revision chain a group at <paramref name="version"/> comes from: the
    /// hash of the revision at that seq, which covers every revision the group's totals were
    /// folded from. Deterministic per version, so a cached snapshot or frame always carries the same.
    /// </summary>
    public Results.ChainHead? ChainAt(long version) =>
        version > 0 && _heads.TryGetValue(version, out var hash) ? new(version, RevisionChain.Hex(hash)) : null;

    internal void RememberHead(long seq, byte[]? hash)
    {
        if (seq > 0 && hash is not null) _heads[seq] = hash;
    }

    public T Read<T>(Func<Tally, T> read)
    {
        _lock.EnterReadLock();
        try { return read(this); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>
    /// Makes a folded run live; returns what changed, with each group's previous version. Changed
    /// groups take <paramref name="next"/>'s checkpoint as their version, or, for runs another
    /// node committed, the version stored with them (<paramref name="storedVersions"/>).
    /// </summary>
    public TallyChanges Apply(TallyRun run, AggregationState next, IReadOnlyDictionary<GroupKey, long>? storedVersions = null)
    {
        _lock.EnterWriteLock();
        try
        {
            var changes = run.ApplyTo(this, next.Checkpoint, storedVersions);
            State = next;
            return changes;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>Takes over a tally built from scratch (start-up, rebuild).</summary>
    public void Replace(Tally rebuilt)
    {
        _lock.EnterWriteLock();
        try
        {
            Contests = rebuilt.Contests;
            State = rebuilt.State;
            _heads = rebuilt._heads;
        }
        finally { _lock.ExitWriteLock(); }
    }

    internal void SetState(AggregationState state) => State = state;
}

/// <summary>
/// One contest's numbers as flat arrays (no object per region or station). A region's row is
/// <c>[reported, quarantined, valid, invalid, one column per choice...]</c>, its columns those of
/// the region (<see cref="Contest.Columns"/>: pairs, parties, or a province's DPD candidates); a
/// dapil's row is the same four counters then one column per entry of its ballot (party votes
/// and every candidate's). Per station only its state and the seq of its counted revision are
/// kept: the numbers of that revision are in the store, which is read when a correction has to
/// subtract them (822k stations × five contests × ~100 entries would cost over a gigabyte).
/// </summary>
public sealed class ContestTally
{
    public const int Reported = 0, Quarantined = 1, Valid = 2, Invalid = 3, FirstVote = 4;

    private readonly int[] _regionOffset;
    private readonly int[] _dapilOffset;

    public ContestTally(Contest contest, int regionCount, int stationCount)
    {
        Contest = contest;
        _regionOffset = new int[regionCount + 1];
        for (var r = 0; r < regionCount; r++) _regionOffset[r + 1] = _regionOffset[r] + FirstVote + contest.Columns(r).Count;
        _dapilOffset = new int[contest.Dapils.Count + 1];
        for (var d = 0; d < contest.Dapils.Count; d++) _dapilOffset[d + 1] = _dapilOffset[d] + FirstVote + contest.Dapils[d].Ballot.Width;
        RegionTotals = new long[_regionOffset[^1]];
        RegionVersions = new long[regionCount];
        DapilTotals = new long[_dapilOffset[^1]];
        DapilVersions = new long[contest.Dapils.Count];
        StationState = new StationFlags[stationCount];
        CountedSeq = new long[stationCount];
        // Nothing counted yet is a seat picture too (no seats awarded), so a tally folded from
        // scratch and one folded run by run hold the same projections.
        var passes = SeatProjection.Passing(contest, Region(RegionTree.National));
        Seats = contest.Dapils.Select(d => SeatProjection.Of(d, Dapil(d.Index)[FirstVote..], passes)).ToArray();
    }

    public Contest Contest { get; }
    public long[] RegionTotals { get; }
    /// <summary>Per region: the version (checkpoint) of the run that last changed it; 0 = never.</summary>
    public long[] RegionVersions { get; }
    public long[] DapilTotals { get; }
    public long[] DapilVersions { get; }
    /// <summary>Per dapil: its projected seats (<see cref="SeatProjection"/>), recomputed whenever its votes or the threshold move.</summary>
    public SeatProjection[] Seats { get; }
    public StationFlags[] StationState { get; }
    /// <summary>Per station: the seq of the revision in the totals; 0 while none is.</summary>
    public long[] CountedSeq { get; }

    public Span<long> Region(int region) => RegionTotals.AsSpan(_regionOffset[region], _regionOffset[region + 1] - _regionOffset[region]);
    public Span<long> Dapil(int dapil) => DapilTotals.AsSpan(_dapilOffset[dapil], _dapilOffset[dapil + 1] - _dapilOffset[dapil]);

    /// <summary>The versions of the region or the dapil groups.</summary>
    public long[] Versions(GroupKey group) => group.Kind == GroupKind.Dapil ? DapilVersions : RegionVersions;

    /// <summary>A parliament changes with any of its dapils: its version is theirs, the latest.</summary>
    public long ParliamentVersion(Parliament parliament)
    {
        long version = 0;
        foreach (var dapil in parliament.Dapils) version = Math.Max(version, DapilVersions[dapil.Index]);
        return version;
    }
}

/// <summary>A region or dapil group of one contest, by index (parliaments have no totals of their own).</summary>
public readonly record struct GroupKey(int Contest, GroupKind Kind, int Index)
{
    /// <summary>The group of a stored totals row (a region id or <c>dapil:&lt;code&gt;</c>), or null if this election has none such.</summary>
    public static GroupKey? Of(Election election, string contest, string group) =>
        election.FindGroup(contest, group) is { Kind: not GroupKind.Parliament } found ? new(found.Contest.Index, found.Kind, found.Index) : null;
}

[Flags]
public enum StationFlags : byte
{
    None = 0,
    /// <summary>A revision of this station is in the totals.</summary>
    Counted = 1,
    /// <summary>The station's latest revision is quarantined (held out, awaiting correction or acceptance).</summary>
    Pending = 2,
}

/// <summary>What one run changed, per contest: regions and dapils with their version before the run, and stations.</summary>
public sealed record TallyChanges(long Version, IReadOnlyList<ContestChanges> Contests)
{
    public int GroupCount => Contests.Sum(c => c.Regions.Count + c.Dapils.Count);
}

/// <summary>A region before the run changed it: its version and its row (deltas name the fields that moved).</summary>
public sealed record RegionChange(long PreviousVersion, long[] PreviousRow);

/// <param name="Regions">Each changed region with what it was before the run.</param>
/// <param name="Dapils">Each changed dapil with what it was before the run (deltas name the candidates that moved).</param>
/// <param name="Stations">Each changed station with the numbers now in the totals (null while none are).</param>
public sealed record ContestChanges(int Contest, IReadOnlyDictionary<int, RegionChange> Regions, IReadOnlyDictionary<int, DapilChange> Dapils,
    IReadOnlyDictionary<int, FormNumbers?> Stations);

/// <summary>A dapil before the run changed it: its version, its row and its projected seats.</summary>
public sealed record DapilChange(long PreviousVersion, long[] PreviousRow, SeatProjection? PreviousSeats);

using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Aggregation;

/// <summary>
/// The live totals: for every contest, the totals of every region and the counted numbers
/// of every station, as of <see cref="State"/>. Changed only by <see cref="Apply"/> (one
/// writer, the aggregator) after the same change is committed to the store; read by
/// snapshots under <see cref="Read{T}"/>.
/// </summary>
public sealed class Tally
{
    private readonly ReaderWriterLockSlim _lock = new();

    public Tally(Election election, AggregationState state)
    {
        Election = election;
        State = state;
        Contests = election.Contests.Select(c => new ContestTally(c, election.Regions.Count, election.Stations.Count)).ToArray();
    }

    public Election Election { get; }
    public AggregationState State { get; private set; }
    public ContestTally[] Contests { get; private set; }

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
    public TallyChanges Apply(TallyRun run, AggregationState next, IReadOnlyDictionary<(int Contest, int Region), long>? storedVersions = null)
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
        }
        finally { _lock.ExitWriteLock(); }
    }

    internal void SetState(AggregationState state) => State = state;
}

/// <summary>
/// One contest's numbers as flat arrays (no object per region or station, so 800k stations
/// and 90k regions cost a few MB). A region's row is
/// <c>[reported, quarantined, valid, invalid, votes per choice...]</c>; a station's
/// <c>[valid, invalid, votes per choice...]</c>, meaningful while it is <see cref="StationFlags.Counted"/>.
/// </summary>
public sealed class ContestTally
{
    public const int Reported = 0, Quarantined = 1, Valid = 2, Invalid = 3, FirstVote = 4;
    public const int StationValid = 0, StationInvalid = 1, StationFirstVote = 2;

    public ContestTally(Contest contest, int regionCount, int stationCount)
    {
        Contest = contest;
        RegionWidth = FirstVote + contest.Choices.Count;
        StationWidth = StationFirstVote + contest.Choices.Count;
        RegionTotals = new long[regionCount * RegionWidth];
        RegionVersions = new long[regionCount];
        StationNumbers = new int[stationCount * StationWidth];
        StationState = new StationFlags[stationCount];
    }

    public Contest Contest { get; }
    public int RegionWidth { get; }
    public int StationWidth { get; }
    public long[] RegionTotals { get; }
    /// <summary>Per region: the version (checkpoint) of the run that last changed it; 0 = never.</summary>
    public long[] RegionVersions { get; }
    public int[] StationNumbers { get; }
    public StationFlags[] StationState { get; }

    public ReadOnlySpan<long> Region(int region) => RegionTotals.AsSpan(region * RegionWidth, RegionWidth);
    public ReadOnlySpan<int> Station(int station) => StationNumbers.AsSpan(station * StationWidth, StationWidth);
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

/// <summary>What one run changed, per contest: regions with their version before the run, and stations.</summary>
public sealed record TallyChanges(long Version, IReadOnlyList<ContestChanges> Contests)
{
    public int GroupCount => Contests.Sum(c => c.Regions.Count);
}

public sealed record ContestChanges(int Contest, IReadOnlyDictionary<int, long> Regions, IReadOnlyCollection<int> Stations);

using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Storage;
using Microsoft.Extensions.Options;

namespace Broadcast.History;

/// <summary>
/// The revision log in memory, compactly, for the totals as of any past moment: per revision its
/// seq and when it was received, and, for the contests that fit the memory budget
/// (<see cref="HistoryOptions.IndexMegabytes"/>), its station, status and numbers. It reads the
/// store itself (the log is append-only and seqs become visible in order), so it needs no hook
/// into ingest or aggregation and holds exactly the stored prefix of the log it has read:
/// <see cref="CatchUpAsync"/> reads what was stored since. One writer (catch-ups take turns),
/// any number of readers, lock-free: a reader takes the published <see cref="Position"/> and
/// reads only below it.
/// </summary>
public sealed partial class RevisionHistory
{
    /// <summary>A revision of an indexed contest: where its seq is in the log, its station, status and numbers (offset in the contest's pool).</summary>
    private readonly record struct Entry(int Log, int Station, int Numbers, FormStatus Status);

    /// <summary>Per revision, in seq order: its seq, and the latest receive time up to it (Unix ms; never goes down).</summary>
    private readonly AppendOnlyArray<long> _seqs = new();
    private readonly AppendOnlyArray<long> _receivedUpTo = new();
    /// <summary>Per indexed contest (null otherwise): its revisions in seq order, and their numbers as <c>[valid, invalid, votes...]</c>.</summary>
    private readonly AppendOnlyArray<Entry>?[] _entries;
    private readonly AppendOnlyArray<int>?[] _numbers;

    private readonly FormStore _store;
    /// <summary>Revisions with seq up to this were deleted by a rehearsal's reset: they are read past, never folded.</summary>
    private long _floor;

    /// <summary>The last seq a rehearsal's reset deleted (0: none); part of what identifies a moment's totals.</summary>
    public long Floor => Volatile.Read(ref _floor);
    private readonly Election _election;
    private readonly SemaphoreSlim _catchUp = new(1, 1);
    private Position _published;

    /// <summary>What a reader may read: the first <see cref="Count"/> revisions of the log and, per indexed contest, its first entries.</summary>
    private sealed record Position(int Count, int[] Entries);

    public RevisionHistory(FormStore store, Election election, IOptions<HistoryOptions> options, ILogger<RevisionHistory> logger)
    {
        _store = store;
        _election = election;
        var indexed = IndexedContests(election, (long)options.Value.IndexMegabytes << 20);
        _entries = election.Contests.Select(c => indexed.Contains(c.Index) ? new AppendOnlyArray<Entry>() : null).ToArray();
        _numbers = election.Contests.Select(c => indexed.Contains(c.Index) ? new AppendOnlyArray<int>() : null).ToArray();
        _published = new Position(0, new int[election.Contests.Count]);
        LogIndexed(logger, string.Join(", ", election.Contests.Select(c => $"{c.Id} {(indexed.Contains(c.Index) ? "in memory" : "from the store")}")));
    }

    /// <summary>Whether a contest's as-of totals are folded from memory (fast) or from the store (a read of the whole log up to the moment).</summary>
    public bool IsIndexed(Contest contest) => _entries[contest.Index] is not null;

    /// <summary>Revisions read so far (the stored prefix of the log this node knows).</summary>
    public int Count => Volatile.Read(ref _published).Count;

    /// <summary>Bytes the log holds in memory.</summary>
    public long Bytes => _seqs.Bytes + _receivedUpTo.Bytes + _entries.Sum(e => e?.Bytes ?? 0) + _numbers.Sum(n => n?.Bytes ?? 0);

    /// <summary>
    /// The contests whose numbers are kept in memory: in the election's order while the estimate
    /// for one revision per station (entry and numbers) stays within <paramref name="budget"/>
    /// bytes. PPWP 2019: 32 bytes a station, 26 MB; a DPR form of ~170 ballot entries ~700 bytes.
    /// (Seq and receive time, 16 bytes a revision, are kept for every contest besides.)
    /// </summary>
    private static HashSet<int> IndexedContests(Election election, long budget)
    {
        var indexed = new HashSet<int>();
        long used = 0;
        foreach (var contest in election.Contests)
        {
            long bytes = 0;
            for (var village = 0; village < election.Regions.Count; village++)
                if (election.Regions.FirstStation[village] >= 0 && contest.BallotOfVillage(village) is { } ballot)
                    bytes += election.Regions.StationCount[village] * (16L + 4L * (2 + ballot.Width));
            if (used + bytes > budget) continue;
            used += bytes;
            indexed.Add(contest.Index);
        }
        return indexed;
    }

    /// <summary>Reads every revision stored since the last catch-up into memory; concurrent callers wait for the one running.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken = default)
    {
        await _catchUp.WaitAsync(cancellationToken);
        try
        {
            // A reset deleted the log up to here: what this node read of it no longer counts.
            if (await _store.ReadClearedThroughAsync() is var floor && floor > _floor) Volatile.Write(ref _floor, floor);
            while (true)
            {
                var after = _seqs.Count == 0 ? 0 : _seqs[_seqs.Count - 1];
                var revisions = await _store.ReadRevisionsAsync(after, long.MaxValue, Aggregator.BatchSize);
                Append(revisions);
                if (revisions.Count < Aggregator.BatchSize) return;
            }
        }
        finally { _catchUp.Release(); }
    }

    /// <summary>Appends revisions that follow the last one in seq order and publishes them; the one writer's (catch-ups, benchmarks).</summary>
    internal void Append(IEnumerable<StoredRevision> revisions)
    {
        foreach (var revision in revisions) Append(revision);
        Volatile.Write(ref _published, new Position(_seqs.Count, _entries.Select(e => e?.Count ?? 0).ToArray()));
    }

    private void Append(StoredRevision revision)
    {
        var log = _seqs.Count;
        var received = revision.ReceivedAt.ToUnixTimeMilliseconds();
        _seqs.Add(revision.Seq);
        _receivedUpTo.Add(log == 0 ? received : Math.Max(received, _receivedUpTo[log - 1]));
        if (TallyRun.Locate(_election, revision) is not var (contest, station, _)) return; // no election counts it: nor does the fold
        if (_entries[contest.Index] is not { } entries) return;
        var numbers = revision.Numbers;
        Span<int> row = stackalloc int[2 + numbers.Votes.Length];
        row[0] = numbers.Valid;
        row[1] = numbers.Invalid;
        numbers.Votes.CopyTo(row[2..]);
        entries.Add(new Entry(log, station, _numbers[contest.Index]!.AddContiguous(row), revision.Status));
    }

    /// <summary>The last revision read: its seq and receive time; null while the log is empty.</summary>
    public LogPoint? Latest => Volatile.Read(ref _published) is { Count: > 0 } at ? Point(at.Count - 1) : null;

    /// <summary>The first revision: its seq and receive time; null while the log is empty.</summary>
    public LogPoint? First => Volatile.Read(ref _published).Count is var count && CountUpTo(_seqs, count, Floor) is var first && first < count
        ? Point(first) : null;

    private LogPoint Point(int log) => new(_seqs[log], DateTimeOffset.FromUnixTimeMilliseconds(_receivedUpTo[log]));

    /// <summary>
    /// Every revision with seq ≤ <paramref name="seq"/>: the last one of them, or null (nothing yet,
    /// seq 0); <see cref="Resolution.Beyond"/> when the log this node read does not reach it.
    /// </summary>
    public Resolution ResolveSeq(long seq)
    {
        var at = Volatile.Read(ref _published);
        if (at.Count == 0 ? seq > 0 : seq > _seqs[at.Count - 1]) return Resolution.Beyond;
        var count = CountUpTo(_seqs, at.Count, seq);
        return new Resolution(count == 0 ? null : Point(count - 1), Final: true);
    }

    /// <summary>
    /// Every revision received at or before <paramref name="time"/>: the longest prefix of the log
    /// received by then (on one writer receive times never go down in seq order, so that is
    /// exactly the revisions received by then; with clocks that disagree it stops before the first
    /// revision stamped later). Final once a revision received after it is in the log: nothing can
    /// join that prefix any more. Otherwise it is everything read so far, and may still grow.
    /// </summary>
    public Resolution ResolveTime(DateTimeOffset time)
    {
        var at = Volatile.Read(ref _published);
        var count = CountUpTo(_receivedUpTo, at.Count, time.ToUnixTimeMilliseconds());
        return new Resolution(count == 0 ? null : Point(count - 1), Final: count < at.Count);
    }

    /// <summary>How many of the first <paramref name="count"/> values (ascending) are ≤ <paramref name="value"/>.</summary>
    private static int CountUpTo(AppendOnlyArray<long> values, int count, long value)
    {
        int lo = 0, hi = count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (values[mid] <= value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// Folds the revisions of <paramref name="totals"/>' contest with seq ≤ <paramref name="upToSeq"/>
    /// into it, newest first, from memory; the contest must be indexed and the seq within the log read.
    /// </summary>
    internal void FoldInto(ContestTally totals, long upToSeq)
    {
        var contest = totals.Contest;
        var entries = _entries[contest.Index] ?? throw new InvalidOperationException($"{contest.Id} is not kept in memory");
        var numbers = _numbers[contest.Index]!;
        var at = Volatile.Read(ref _published);
        var logCount = CountUpTo(_seqs, at.Count, upToSeq);
        // The contest's entries that lie within those first logCount revisions.
        int lo = 0, hi = at.Entries[contest.Index];
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (entries[mid].Log < logCount) lo = mid + 1; else hi = mid;
        }
        var fold = new ScratchFold(_election, totals);
        var villages = _election.Stations.Village;
        var cleared = CountUpTo(_seqs, at.Count, Floor); // revisions a reset deleted: the first `cleared` of the log
        for (var i = lo - 1; i >= 0 && entries[i].Log >= cleared; i--)
        {
            var entry = entries[i];
            var ballot = contest.BallotOfVillage(villages[entry.Station])!;
            var row = numbers.Slice(entry.Numbers, 2 + ballot.Width);
            fold.Fold(contest, entry.Station, ballot, _seqs[entry.Log], entry.Status, row[2..], row[0], row[1]);
        }
        fold.ProjectSeats();
    }

    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "Totals as of a past moment: {Contests}")]
    private static partial void LogIndexed(ILogger logger, string contests);
}

/// <summary>A place in the revision log: a revision's seq and the time by which it and every revision before it were received.</summary>
public sealed record LogPoint(long Seq, DateTimeOffset ReceivedAt);

/// <summary>
/// A moment resolved against the log: the last revision it includes (<see cref="Last"/>, null
/// before the first), and whether it is <see cref="Final"/> (no revision can still join it).
/// </summary>
public sealed record Resolution(LogPoint? Last, bool Final)
{
    /// <summary>Beyond the log this node has read: not stored yet, or in the future.</summary>
    public static readonly Resolution Beyond = new(null, false);

    public bool IsBeyond => ReferenceEquals(this, Beyond);

    /// <summary>The seq of the last revision included (0: none).</summary>
    public long Seq => Last?.Seq ?? 0;
}

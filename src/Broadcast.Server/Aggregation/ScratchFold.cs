using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Aggregation;

/// <summary>
/// Builds a tally from nothing (start-up, rebuild, reconciliation, the totals as of a past
/// moment) by reading the revisions newest first: a station's newest revision says whether it
/// is pending (quarantined), and its newest counted revision is the one in the totals, so each
/// station's numbers are added once and older revisions are passed over. That gives exactly what
/// <see cref="TallyRun"/> gives folding the same revisions oldest first, without holding any
/// station's numbers. Works in place: only for a tally nobody reads yet.
/// </summary>
public sealed class ScratchFold
{
    /// <summary>Per contest and station: nothing seen yet, its newest revision seen (quarantined), or its counted one found.</summary>
    private enum Seen : byte { Nothing, Newest, Counted }

    private readonly Election _election;
    /// <summary>Per contest: the totals folded into, or null for a contest this fold leaves out.</summary>
    private readonly ContestTally?[] _contests;
    private readonly Seen[]?[] _seen;

    /// <summary>Folds every contest into <paramref name="tally"/>.</summary>
    public ScratchFold(Tally tally) : this(tally.Election, tally.Contests) { }

    /// <summary>Folds one contest into <paramref name="totals"/>; revisions of the other contests are passed over.</summary>
    public ScratchFold(Election election, ContestTally totals) : this(election, Only(election, totals)) { }

    private ScratchFold(Election election, ContestTally?[] contests)
    {
        _election = election;
        _contests = contests;
        _seen = contests.Select(c => c is null ? null : new Seen[election.Stations.Count]).ToArray();
    }

    private static ContestTally?[] Only(Election election, ContestTally totals)
    {
        var contests = new ContestTally?[election.Contests.Count];
        contests[totals.Contest.Index] = totals;
        return contests;
    }

    public int Folded { get; private set; }
    public int Skipped { get; private set; }
    /// <summary>The highest seq seen: the checkpoint of the tally once every revision up to it is folded.</summary>
    public long Checkpoint { get; private set; }
    /// <summary>The chain hash of the revision at <see cref="Checkpoint"/>.</summary>
    public string ChainHead { get; private set; } = "";

    /// <summary>After the last revision: every dapil's projected seats.</summary>
    public void ProjectSeats()
    {
        foreach (var totals in _contests)
        {
            if (totals is null) continue;
            var passes = Seats.SeatProjection.Passing(totals.Contest, totals.Region(RegionTree.National));
            foreach (var dapil in totals.Contest.Dapils)
                totals.Seats[dapil.Index] = Seats.SeatProjection.Of(dapil, totals.Dapil(dapil.Index)[ContestTally.FirstVote..], passes);
        }
    }

    /// <summary>Folds one revision; revisions must come in descending seq order.</summary>
    public void Fold(StoredRevision revision)
    {
        if (revision.Seq > Checkpoint) (Checkpoint, ChainHead) = (revision.Seq, Storage.RevisionChain.Hex(revision.Hash));
        if (TallyRun.Locate(_election, revision) is not var (contest, station, ballot))
        {
            Skipped++;
            return;
        }
        var numbers = revision.Numbers;
        Fold(contest, station, ballot, revision.Seq, revision.Status, numbers.Votes, numbers.Valid, numbers.Invalid);
    }

    /// <summary>
    /// Folds one located revision (<paramref name="votes"/> in its ballot's order); revisions must
    /// come in descending seq order. The revision history calls this with numbers it keeps itself.
    /// </summary>
    public void Fold(Contest contest, int station, Ballot ballot, long seq, FormStatus status, ReadOnlySpan<int> votes, int valid, int invalid)
    {
        Checkpoint = Math.Max(Checkpoint, seq);
        var c = contest.Index;
        if (_contests[c] is not { } totals) return;
        var seenOf = _seen[c]!;
        var seen = seenOf[station];
        if (seen == Seen.Counted) return; // an older revision of a station whose counted one is already in

        Span<long> counters = stackalloc long[ContestTally.FirstVote];
        counters.Clear();
        Span<long> entries = stackalloc long[ballot.Width];
        if (status == FormStatus.Counted)
        {
            counters[ContestTally.Reported] = 1;
            counters[ContestTally.Valid] = valid;
            counters[ContestTally.Invalid] = invalid;
            for (var e = 0; e < entries.Length; e++) entries[e] = votes[e];
            totals.StationState[station] |= StationFlags.Counted;
            totals.CountedSeq[station] = seq;
            seenOf[station] = Seen.Counted;
        }
        else if (seen == Seen.Nothing && status == FormStatus.Quarantined)
        {
            // The station's newest revision is quarantined: it is pending.
            counters[ContestTally.Quarantined] = 1;
            entries = [];
            totals.StationState[station] |= StationFlags.Pending;
            seenOf[station] = Seen.Newest;
        }
        else if (seen == Seen.Nothing)
        {
            seenOf[station] = Seen.Newest; // rejected by an operator: not pending; an older counted revision may still count
            return;
        }
        else
        {
            return; // an older quarantined revision changes nothing
        }

        for (var r = _election.Stations.Village[station]; r >= 0; r = _election.Regions.Parent[r])
            TallyRun.AddToRegion(totals.Region(r), counters, entries, ballot, contest.ColumnSetOf(r) == ballot.ColumnSet);
        if (ballot.Dapil is { } dapil)
        {
            var row = totals.Dapil(dapil.Index);
            for (var i = 0; i < counters.Length; i++) row[i] += counters[i];
            for (var e = 0; e < entries.Length; e++) row[ContestTally.FirstVote + e] += entries[e];
        }
        Folded++;
    }
}

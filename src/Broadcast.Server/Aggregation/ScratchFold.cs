using Broadcast.Elections;
using Broadcast.Storage;

namespace Broadcast.Aggregation;

/// <summary>
/// Builds a tally from nothing (start-up, rebuild, reconciliation) by reading the revisions
/// newest first: a station's newest revision says whether it is pending (quarantined), and
/// its newest counted revision is the one in the totals, so each station's numbers are added
/// once and older revisions are passed over. That gives exactly what <see cref="TallyRun"/>
/// gives folding the same revisions oldest first, without holding any station's numbers.
/// Works in place: only for a tally nobody reads yet.
/// </summary>
public sealed class ScratchFold(Tally tally)
{
    /// <summary>Per contest and station: nothing seen yet, its newest revision seen (quarantined), or its counted one found.</summary>
    private enum Seen : byte { Nothing, Newest, Counted }

    private readonly Seen[][] _seen = tally.Contests.Select(_ => new Seen[tally.Election.Stations.Count]).ToArray();

    public int Folded { get; private set; }
    public int Skipped { get; private set; }
    /// <summary>The highest seq seen: the checkpoint of the tally once every revision up to it is folded.</summary>
    public long Checkpoint { get; private set; }

    /// <summary>After the last revision: every dapil's projected seats.</summary>
    public void ProjectSeats()
    {
        foreach (var totals in tally.Contests)
        {
            var passes = Seats.SeatProjection.Passing(totals.Contest, totals.Region(RegionTree.National));
            foreach (var dapil in totals.Contest.Dapils)
                totals.Seats[dapil.Index] = Seats.SeatProjection.Of(dapil, totals.Dapil(dapil.Index)[ContestTally.FirstVote..], passes);
        }
    }

    /// <summary>Folds one revision; revisions must come in descending seq order.</summary>
    public void Fold(StoredRevision revision)
    {
        Checkpoint = Math.Max(Checkpoint, revision.Seq);
        if (TallyRun.Locate(tally.Election, revision) is not var (contest, station, ballot))
        {
            Skipped++;
            return;
        }
        var c = contest.Index;
        var seen = _seen[c][station];
        if (seen == Seen.Counted) return; // an older revision of a station whose counted one is already in

        var totals = tally.Contests[c];
        Span<long> counters = stackalloc long[ContestTally.FirstVote];
        counters.Clear();
        Span<long> entries = stackalloc long[ballot.Width];
        if (revision.Status == FormStatus.Counted)
        {
            counters[ContestTally.Reported] = 1;
            counters[ContestTally.Valid] = revision.Numbers.Valid;
            counters[ContestTally.Invalid] = revision.Numbers.Invalid;
            for (var e = 0; e < entries.Length; e++) entries[e] = revision.Numbers.Votes[e];
            totals.StationState[station] |= StationFlags.Counted;
            totals.CountedSeq[station] = revision.Seq;
            _seen[c][station] = Seen.Counted;
        }
        else if (seen == Seen.Nothing && revision.Status == FormStatus.Quarantined)
        {
            // The station's newest revision is quarantined: it is pending.
            counters[ContestTally.Quarantined] = 1;
            entries = [];
            totals.StationState[station] |= StationFlags.Pending;
            _seen[c][station] = Seen.Newest;
        }
        else if (seen == Seen.Nothing)
        {
            _seen[c][station] = Seen.Newest; // rejected by an operator: not pending; an older counted revision may still count
            return;
        }
        else
        {
            return; // an older quarantined revision changes nothing
        }

        var election = tally.Election;
        for (var r = election.Stations.Village[station]; r >= 0; r = election.Regions.Parent[r])
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

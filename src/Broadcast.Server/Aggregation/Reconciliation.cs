using Broadcast.Storage;

namespace Broadcast.Aggregation;

/// <summary>One total that differs between a from-scratch fold and an incremental copy.</summary>
public sealed record TotalsDrift(string Source, string Contest, string Region, string Field, long Expected, long Actual);

public static class Reconciliation
{
    /// <summary>
    /// Compares <paramref name="scratch"/> (the truth: every revision folded from nothing) with the
    /// live tally and with the stored totals rows; a region with no stored row must be all zero.
    /// </summary>
    public static IReadOnlyList<TotalsDrift> Compare(Tally scratch, Tally live, IReadOnlyList<TotalsRow> stored)
    {
        var drift = new List<TotalsDrift>();
        var storedByGroup = stored.ToDictionary(r => (r.Contest, r.Region));
        void Check(ContestTally expected, string group, ReadOnlySpan<long> truth, long[] liveRow, string[] fields)
        {
            var storedRow = storedByGroup.TryGetValue((expected.Contest.Id, group), out var row)
                ? [row.Reported, row.Quarantined, row.Valid, row.Invalid, .. row.Votes]
                : new long[truth.Length];
            for (var i = 0; i < truth.Length; i++)
            {
                if (liveRow[i] != truth[i]) drift.Add(new("live", expected.Contest.Id, group, fields[i], truth[i], liveRow[i]));
                if (i >= storedRow.Length || storedRow[i] != truth[i])
                    drift.Add(new("stored", expected.Contest.Id, group, fields[i], truth[i], i < storedRow.Length ? storedRow[i] : -1));
            }
        }

        var election = scratch.Election;
        for (var c = 0; c < scratch.Contests.Length; c++)
        {
            var expected = scratch.Contests[c];
            var contest = expected.Contest;
            for (var region = 0; region < election.Regions.Count; region++)
            {
                var liveRow = live.Read(t => t.Contests[c].Region(region).ToArray());
                Check(expected, election.Regions.Id[region], expected.Region(region), liveRow,
                    [.. Counters, .. contest.Columns(region).Select(ch => "votes." + ch.Id)]);
            }
            foreach (var dapil in contest.Dapils)
            {
                var liveRow = live.Read(t => t.Contests[c].Dapil(dapil.Index).ToArray());
                Check(expected, dapil.GroupId, expected.Dapil(dapil.Index), liveRow,
                    [.. Counters, .. Enumerable.Range(0, dapil.Ballot.Width).Select(e => "entries." + e)]);
            }
        }
        return drift;
    }

    private static readonly string[] Counters = ["reported", "quarantined", "valid", "invalid"];
}

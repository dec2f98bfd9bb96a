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
        var election = scratch.Election;
        var storedByGroup = stored.ToDictionary(r => (r.Contest, r.Region));
        for (var c = 0; c < scratch.Contests.Length; c++)
        {
            var expected = scratch.Contests[c];
            var fields = FieldNames(expected);
            for (var region = 0; region < election.Regions.Count; region++)
            {
                var truth = expected.Region(region);
                var regionId = election.Regions.Id[region];
                var liveRow = live.Read(t => t.Contests[c].Region(region).ToArray());
                var storedRow = storedByGroup.TryGetValue((expected.Contest.Id, regionId), out var row)
                    ? [row.Reported, row.Quarantined, row.Valid, row.Invalid, .. row.Votes]
                    : new long[truth.Length];
                for (var i = 0; i < truth.Length; i++)
                {
                    if (liveRow[i] != truth[i]) drift.Add(new("live", expected.Contest.Id, regionId, fields[i], truth[i], liveRow[i]));
                    if (i >= storedRow.Length || storedRow[i] != truth[i])
                        drift.Add(new("stored", expected.Contest.Id, regionId, fields[i], truth[i], i < storedRow.Length ? storedRow[i] : -1));
                }
            }
        }
        return drift;
    }

    private static string[] FieldNames(ContestTally tally) =>
        ["reported", "quarantined", "valid", "invalid", .. tally.Contest.Choices.Select(ch => "votes." + ch.Id)];
}

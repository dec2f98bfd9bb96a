using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.Storage;

namespace Broadcast.Operators;

/// <summary>A rule a form broke, by code and in words.</summary>
public sealed record RuleBroken(string Code, string Text);

/// <summary>
/// A station awaiting an operator's decision: its latest revision is quarantined. Beside it, the
/// revision in the totals now (null when none is), so the operator sees what accepting would change.
/// </summary>
public sealed record QueuedStation(string Contest, string Station, IReadOnlyList<RegionInfo> Regions, RevisionView Held,
    RevisionView? Counted, IReadOnlyList<RuleBroken> Rules);

/// <param name="Total">Stations awaiting a decision in the contest(s) asked for.</param>
/// <param name="Next">The <c>after</c> of the next page (a position in the queue); null at its end.</param>
public sealed record ReviewQueuePage(int Total, IReadOnlyList<QueuedStation> Items, int? Next);

/// <summary>
/// The review queue: every station whose latest revision is quarantined, found from the live
/// tally's station flags (no scan of the log), in station order, with each one's trail read
/// from the store for the page asked for.
/// </summary>
public static class ReviewQueue
{
    public const int MaxPage = 100;

    public static async Task<IResult> ReadAsync(string? contest, int? after, int? limit, TallyHolder holder, Election election, FormStore store)
    {
        if (contest is not null && election.FindContest(contest) is null)
            return Problems.InvalidQuery("contest", $"no contest '{FormErrors.Clip(contest)}' in this election");
        if (after is < 0) return Problems.InvalidQuery("after", "must be 0 or more");
        if (limit is < 1 or > MaxPage) return Problems.InvalidQuery("limit", $"must be from 1 to {MaxPage}");

        var pending = holder.Tally.Read(tally => tally.Contests
            .Where(c => contest is null || c.Contest.Id == contest)
            .SelectMany(c => Enumerable.Range(0, c.StationState.Length)
                .Where(s => (c.StationState[s] & StationFlags.Pending) != 0)
                .Select(s => (Contest: c.Contest, Station: s)))
            .ToList());
        var from = after ?? 0;
        var page = pending.Skip(from).Take(limit ?? 20).ToList();
        var items = new List<QueuedStation>(page.Count);
        foreach (var (c, station) in page)
        {
            var id = election.StationId(station);
            var trail = await store.ReadStationAsync(c.Id, id);
            if (trail.Count == 0 || trail[^1].Status != FormStatus.Quarantined) continue; // decided since the tally looked
            var ballot = c.BallotOfVillage(election.Stations.Village[station]);
            var counted = trail.LastOrDefault(r => r.Status == FormStatus.Counted);
            items.Add(new QueuedStation(c.Id, id, StationForms.RegionsOf(election, station),
                StationForms.View(trail[^1], ballot), counted is null ? null : StationForms.View(counted, ballot),
                trail[^1].Problems.Select(code => new RuleBroken(code, FormRules.Describe(code))).ToList()));
        }
        var next = from + page.Count < pending.Count ? from + page.Count : (int?)null;
        return TypedResults.Ok(new ReviewQueuePage(pending.Count, items, next));
    }
}

using System.Globalization;
using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.Results;
using Microsoft.Net.Http.Headers;

namespace Broadcast.History;

/// <summary>
/// The read API's answer for <c>?asOf=</c>: a group's snapshot as of a past moment, in the live
/// snapshot's shape plus <see cref="ResultsSnapshot.AsOf"/>. A final moment never changes, so its
/// answer is cached for good (immutable; ETag <c>"asof.&lt;seq&gt;"</c>); a time at or after the
/// latest revision answers the latest totals, briefly cacheable; a seq not stored yet or a time in
/// the future answers <c>409</c> with the latest moment there is.
/// </summary>
public sealed class AsOfResults(RevisionHistory history, AsOfTotals tallies, ResultsView view, TimeProvider clock)
{
    /// <summary>What an as-of snapshot carries as its epoch: it belongs to no epoch of the live totals, and no delta applies to it.</summary>
    public const string Epoch = "asof";

    public async Task<IResult> AnswerAsync(ResultsGroup group, string asOf, HttpContext context)
    {
        if (!AsOfQuery.TryParse(asOf, out var query, out var error)) return Problems.InvalidQuery(AsOfQuery.Field, error);
        var resolution = Resolve(query);
        if (resolution.IsBeyond || !resolution.Final)
        {
            // The moment may lie in revisions stored since this node last read the log.
            await history.CatchUpAsync(context.RequestAborted);
            resolution = Resolve(query);
        }
        if (resolution.IsBeyond)
            return Problems.NotYet($"No revision with seq {query.Seq} is stored yet.", history.Latest);
        if (query.Time is { } time && !resolution.Final && time > clock.GetUtcNow())
            return Problems.NotYet($"{time.ToString("O", CultureInfo.InvariantCulture)} is in the future.", history.Latest);

        var seq = resolution.Seq;
        if (ResultsApi.Revalidate(context, new EntityTagHeaderValue(resolution.Final ? $"\"asof.{seq}\"" : $"\"asof.{seq}.open\""),
                resolution.Final
                    ? new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(365), Extensions = { new("immutable") } }
                    : new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromSeconds(2) }) is { } notModified)
            return notModified;

        var unfinished = await tallies.ReadAsync(group.Contest, seq, totals => view.SnapshotOf(group, totals, Epoch, seq));
        var snapshot = await view.FinishAsync(unfinished);
        // The chain link of the moment, as a live snapshot names its version's: the last revision in it.
        var chain = await view.ChainAtAsync(seq);
        return TypedResults.Ok(snapshot with { AsOf = new AsOfMoment(seq, resolution.Last?.ReceivedAt, resolution.Final), Chain = chain });
    }

    private Resolution Resolve(AsOfQuery query) =>
        query.Seq is { } seq ? history.ResolveSeq(seq) : history.ResolveTime(query.Time!.Value);
}

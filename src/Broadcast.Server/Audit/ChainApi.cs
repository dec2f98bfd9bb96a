using System.Text.Json;
using Broadcast.Aggregation;
using Broadcast.Ingest;
using Broadcast.OpenApi;
using Broadcast.Operators;
using Broadcast.Results;
using Broadcast.Storage;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Broadcast.Audit;

/// <summary>
/// One stored revision as the chain shows it: every field its hash covers (in the canonical
/// order of <see cref="RevisionChain"/>), and the hash. <see cref="ReceivedAtMs"/> is Unix ms,
/// as hashed; <see cref="Votes"/> in ballot order.
/// </summary>
public sealed record ChainRecord(long Seq, string Contest, string Station, int Revision, int[] Votes, int Valid, int Invalid,
    int Total, string Status, IReadOnlyList<string> Problems, int? Accepts, long ReceivedAtMs, string Submitter, string? Reason,
    string Hash)
{
    public static ChainRecord Of(StoredRevision r) => new(r.Seq, r.Contest, r.Station, r.Revision, r.Numbers.Votes, r.Numbers.Valid,
        r.Numbers.Invalid, r.Numbers.Total, FormReceipt.StatusOf(r.Status), r.Problems, r.Accepts, r.ReceivedAt.ToUnixTimeMilliseconds(),
        r.Submitter, r.Reason, RevisionChain.Hex(r.Hash));
}

/// <param name="Revisions">In seq order.</param>
/// <param name="Next">The <c>after</c> of the next page; null at the end of the log.</param>
public sealed record ChainPage(IReadOnlyList<ChainRecord> Revisions, long? Next);

/// <param name="Head">The newest stored revision.</param>
/// <param name="Committed">The head the live totals were committed at (the aggregation checkpoint).</param>
/// <param name="Check">What the server's last check of the whole chain found (at start-up, rebuild, reconcile).</param>
public sealed record ChainInfo(ChainHead? Head, ChainHead? Committed, ChainCheck? Check);

public sealed record ChainCheck(long Checked, long? FirstBreak, DateTimeOffset At);

/// <summary>
/// The tamper-evident log, readable by anyone: its head, and every revision in pages that a CDN
/// can keep for ever once full. Operators can export the whole log as NDJSON in one request,
/// for <c>scripts/verify-chain.py</c>.
/// </summary>
public static class ChainApi
{
    public const int MaxPage = 1000;
    private const int ExportBatch = 5000;

    public static IEndpointRouteBuilder MapChainApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/chain").WithTags("Chain");
        api.MapGet("", Info).RequireCors(Push.PushSetup.ViewerCors)
            .WithSummary("The chain's head, the head the totals were committed at, and the last full check").WithName("GetChain")
            .Answers<ChainInfo>(StatusCodes.Status200OK, "The heads and the check; `Cache-Control: no-cache`.");
        api.MapGet("/revisions", Page).RequireCors(Push.PushSetup.ViewerCors)
            .WithSummary("A page of the log in seq order").WithName("GetChainRevisions")
            .Answers<ChainPage>(StatusCodes.Status200OK, "Up to `limit` revisions after `after`; a full page never changes.")
            .WithHeader(StatusCodes.Status200OK, "Cache-Control", "A full page `public, max-age=31536000, immutable` (but on a rehearsal server); else `max-age=2`.")
            .AnswersFieldProblem(StatusCodes.Status400BadRequest, "`after` below 0, or `limit` not from 1 to 1000 (`errors` names it).");
        api.MapGet("/export", Export).RequireAuthorization(OperatorAuthentication.Policy)
            .WithSummary("The whole log after `after` as NDJSON, streamed").WithName("ExportChain")
            .Answers<ChainRecord>(StatusCodes.Status200OK, "One revision per line, in seq order (`Content-Disposition: attachment`).", "application/x-ndjson");
        return app;
    }

    private static async Task<IResult> Info(FormStore store, TallyHolder holder, ChainStatus status, HttpContext context)
    {
        var newest = await store.ReadRevisionsNewestFirstAsync(long.MaxValue, 1);
        var state = holder.Tally.State;
        context.Response.GetTypedHeaders().CacheControl = new CacheControlHeaderValue { NoCache = true };
        return TypedResults.Ok(new ChainInfo(
            newest is [var head] ? new ChainHead(head.Seq, RevisionChain.Hex(head.Hash)) : null,
            state.ChainHead.Length > 0 ? new ChainHead(state.Checkpoint, state.ChainHead) : null,
            status.Last is { } last ? new ChainCheck(last.Checked, last.FirstBreak, last.At) : null));
    }

    private static async Task<IResult> Page(FormStore store, HttpContext context, IOptions<Rehearsal.RehearsalOptions> rehearsal, long? after, int? limit)
    {
        if (after is < 0) return Problems.InvalidQuery("after", "must be a seq, 0 or more");
        if (limit is < 1 or > MaxPage) return Problems.InvalidQuery("limit", $"must be from 1 to {MaxPage}");
        var size = limit ?? MaxPage;
        var revisions = await store.ReadRevisionsAsync(after ?? 0, long.MaxValue, size);
        // A full page never changes (seqs are never reused and the log is append-only): cache it
        // for ever. A rehearsal's log can be reset, so its pages are not.
        var full = revisions.Count == size;
        context.Response.GetTypedHeaders().CacheControl = full && !rehearsal.Value.Enabled
            ? new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(365), Extensions = { new("immutable") } }
            : new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromSeconds(2) };
        return TypedResults.Ok(new ChainPage(revisions.Select(ChainRecord.Of).ToList(), full ? revisions[^1].Seq : null));
    }

    /// <summary>Every revision after <paramref name="after"/>, one JSON object per line, streamed in batches.</summary>
    private static async Task Export(FormStore store, HttpContext context, IOptions<JsonOptions> json, long? after,
        CancellationToken cancellationToken)
    {
        context.Response.ContentType = "application/x-ndjson";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"broadcast-chain.ndjson\"";
        var buffer = new MemoryStream();
        for (var from = Math.Max(after ?? 0, 0); ;)
        {
            var revisions = await store.ReadRevisionsAsync(from, long.MaxValue, ExportBatch);
            buffer.SetLength(0);
            foreach (var revision in revisions)
            {
                JsonSerializer.Serialize(buffer, ChainRecord.Of(revision), json.Value.SerializerOptions);
                buffer.WriteByte((byte)'\n');
            }
            await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
            if (revisions.Count < ExportBatch) break;
            from = revisions[^1].Seq;
        }
    }
}

using System.Globalization;
using Broadcast.Cluster;
using Broadcast.Elections;
using Broadcast.History;
using Broadcast.Ingest;
using Broadcast.OpenApi;
using Microsoft.Net.Http.Headers;

namespace Broadcast.Results;

/// <summary>
/// Snapshots over HTTP, for clients that cannot hold a WebSocket and for CDNs in front of the
/// origin. Two ways in:
/// <list type="bullet">
/// <item><c>/api/v1/results/{contest}/{group}</c>: the current snapshot, ETag <c>"epoch.version"</c>,
/// 304 when unchanged, a short max-age so a CDN absorbs polling.</item>
/// <item><c>/api/v1/results/{contest}/{group}/v/{epoch}.{version}</c>: the snapshot of one version,
/// which never changes, so any shared cache keeps it for good; <c>.../latest</c> redirects to the
/// current one and is cached one second. A reader told of a new version (pushed, or by
/// <c>latest</c>) fetches its URL through the cache: however many readers, the origin serves
/// each group about once per version.</item>
/// </list>
/// <c>?asOf=</c> on the first way answers the totals as of a past moment instead (<see cref="AsOfResults"/>).
/// </summary>
public static class ResultsApi
{
    /// <summary>How long a shared cache may keep the answer naming the current version.</summary>
    private static readonly TimeSpan LatestMaxAge = TimeSpan.FromSeconds(1);

    /// <summary>How long a versioned request waits for this node to take in a run another node committed.</summary>
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapResultsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/results").WithTags("Results").RequireCors(Push.PushSetup.ViewerCors);
        api.MapGet("/{contest}", (string contest, string? asOf, HttpContext context, Election election, ResultsView view, AsOfResults past) =>
            Snapshot(contest, "0", asOf, context, election, view, past))
            .WithSummary("The national totals of a contest (or as of a past moment)").WithName("GetNationalResults").AnswersSnapshot();
        api.MapGet("/{contest}/{group}", Snapshot)
            .WithSummary("A group's totals: a region, dapil or parliament (or as of a past moment)").WithName("GetResults").AnswersSnapshot();
        api.MapGet("/{contest}/{group}/latest", Latest)
            .WithSummary("Redirect to the URL of the group's current version").WithName("GetLatestResults")
            .Answers(StatusCodes.Status307TemporaryRedirect, "To `/api/v1/results/{contest}/{group}/v/{epoch}.{version}`; cached one second.")
            .WithHeader(StatusCodes.Status307TemporaryRedirect, "Location", "The current version's URL.")
            .AnswersProblem(StatusCodes.Status404NotFound, "No such contest or group.");
        api.MapGet("/{contest}/{group}/v/{position}", Versioned)
            .WithSummary("One version of a group's snapshot, cacheable for ever").WithName("GetResultsVersion")
            .Answers<ResultsSnapshot>(StatusCodes.Status200OK, "The snapshot at `{epoch}.{version}`; immutable.")
            .WithHeader(StatusCodes.Status200OK, "ETag", "`\"<epoch>.<version>\"`.")
            .WithHeader(StatusCodes.Status200OK, "Cache-Control", "`public, max-age=31536000, immutable`.")
            .Answers(StatusCodes.Status307TemporaryRedirect, "That version is gone (or of another epoch): to the current one, cached one second.")
            .WithHeader(StatusCodes.Status307TemporaryRedirect, "Location", "The current version's URL.")
            .AnswersProblem(StatusCodes.Status404NotFound, "No such contest or group, or the position is not `<epoch>.<version>`.")
            .Answers(StatusCodes.Status503ServiceUnavailable, "A version this node has not taken in yet (another node committed it); retry after `Retry-After`.")
            .WithHeader(StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds to wait before retrying.");
        return app;
    }

    /// <summary>What the current snapshot answers, with <c>?asOf=</c> (<see cref="AsOfResults"/>) or without.</summary>
    private static RouteHandlerBuilder AnswersSnapshot(this RouteHandlerBuilder builder) => builder
        .WithDescription("Without `asOf`: the live totals, `ETag` `\"<epoch>.<version>\"`, `max-age=2`. With `asOf` (`seq:<n>` or an ISO 8601 " +
            "time with its offset): the totals as of that moment, folded from the revision log, with `asOf` saying which; a final " +
            "moment is immutable (`ETag` `\"asof.<seq>\"`), a time at or after the latest revision `max-age=2`.")
        .Answers<ResultsSnapshot>(StatusCodes.Status200OK, "The group's totals and its children.")
        .Cacheable("`public, max-age=2`; as of a final moment `public, max-age=31536000, immutable`.")
        .AnswersNotModified()
        .AnswersFieldProblem(StatusCodes.Status400BadRequest, "`asOf` is not a moment (`errors.asOf` says what to write).")
        .AnswersProblem(StatusCodes.Status404NotFound, "No such contest or group.")
        .AnswersProblem(StatusCodes.Status409Conflict, "`asOf` is beyond the log (a seq not stored yet, a time in the future): `latest` is the latest moment there is.");

    /// <param name="group">A region id, <c>dapil:&lt;code&gt;</c> or <c>parliament:&lt;region id&gt;</c>.</param>
    /// <param name="asOf">The totals as of a past moment instead (<see cref="AsOfResults"/>): <c>seq:&lt;n&gt;</c> or an ISO 8601 time with its offset.</param>
    private static async Task<IResult> Snapshot(string contest, string group, string? asOf, HttpContext context, Election election,
        ResultsView view, AsOfResults past)
    {
        if (election.FindGroup(contest, group) is not { } found) return NoSuchGroup(contest, group);
        if (asOf is not null) return await past.AnswerAsync(found, asOf, context);
        var (epoch, version) = view.Version(found);
        if (Revalidate(context, new EntityTagHeaderValue($"\"{epoch}.{version}\""),
                new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromSeconds(2) }) is { } notModified)
            return notModified;
        // Built after the version was read: it may be newer than the ETag, never older.
        return TypedResults.Ok(await view.SnapshotAsync(found));
    }

    private static IResult Latest(string contest, string group, HttpContext context, Election election, ResultsView view)
    {
        if (election.FindGroup(contest, group) is not { } found) return NoSuchGroup(contest, group);
        context.Response.GetTypedHeaders().CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = LatestMaxAge };
        return TypedResults.Redirect(VersionedPath(contest, group, view.Version(found)), permanent: false, preserveMethod: true);
    }

    /// <param name="position"><c>&lt;epoch&gt;.&lt;version&gt;</c>, as in an ETag or a delta.</param>
    private static async Task<IResult> Versioned(string contest, string group, string position, HttpContext context,
        Election election, ResultsView view, TallyFollower follower)
    {
        if (election.FindGroup(contest, group) is not { } found) return NoSuchGroup(contest, group);
        var dot = position.LastIndexOf('.');
        if (dot <= 0 || !long.TryParse(position.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            return Problems.NotFound($"'{FormErrors.Clip(position)}' is not a version: write <epoch>.<version>, as in the ETag.");
        var epoch = position[..dot];
        var current = view.Version(found);
        if (current.Epoch == epoch && version > current.Version)
        {
            // A version this node has not taken in yet (another node committed it): catch up first.
            try { await follower.CatchUpAsync().WaitAsync(CatchUpWait); }
            catch (TimeoutException) { }
            current = view.Version(found);
        }
        var headers = context.Response.GetTypedHeaders();
        if (current.Epoch == epoch && version > current.Version)
        {
            headers.CacheControl = new CacheControlHeaderValue { NoStore = true };
            context.Response.Headers.RetryAfter = "1";
            return TypedResults.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
        if (current != (epoch, version))
        {
            // Gone by now (or another epoch): the current version instead, briefly cacheable.
            headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = LatestMaxAge };
            return TypedResults.Redirect(VersionedPath(contest, group, current), permanent: false, preserveMethod: true);
        }
        var snapshot = await view.SnapshotAsync(found);
        if (snapshot.Version != version || snapshot.Epoch != epoch)
        {
            // A run landed between reading the version and building: the snapshot is of the next one.
            headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = LatestMaxAge };
            return TypedResults.Redirect(VersionedPath(contest, group, (snapshot.Epoch, snapshot.Version)), permanent: false, preserveMethod: true);
        }
        headers.ETag = new EntityTagHeaderValue($"\"{epoch}.{version}\"");
        headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromDays(365), Extensions = { new("immutable") } };
        return TypedResults.Ok(snapshot);
    }

    internal static bool NotModified(HttpContext context, EntityTagHeaderValue etag) =>
        context.Request.GetTypedHeaders().IfNoneMatch.Any(tag => tag.Compare(etag, useStrongComparison: false) || tag.Equals(EntityTagHeaderValue.Any));

    /// <summary>
    /// Stamps the answer with <paramref name="etag"/> and <paramref name="cache"/> (a 304 carries both
    /// too), and gives the 304 when the client already holds that ETag; null when the body must be sent.
    /// </summary>
    internal static IResult? Revalidate(HttpContext context, EntityTagHeaderValue etag, CacheControlHeaderValue cache)
    {
        var headers = context.Response.GetTypedHeaders();
        headers.ETag = etag;
        headers.CacheControl = cache;
        return NotModified(context, etag) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : null;
    }

    /// <summary>The URL of one version of a group's snapshot (ids are known ones: nothing to escape).</summary>
    public static string VersionedPath(string contest, string group, (string Epoch, long Version) at) =>
        $"/api/v1/results/{contest}/{group}/v/{at.Epoch}.{at.Version.ToString(CultureInfo.InvariantCulture)}";

    private static IResult NoSuchGroup(string contest, string group) =>
        Problems.NotFound($"No results for contest '{FormErrors.Clip(contest)}' and group '{FormErrors.Clip(group)}'.");
}

using Broadcast.Elections;
using Broadcast.Ingest;
using Microsoft.Net.Http.Headers;

namespace Broadcast.Results;

/// <summary>
/// The cacheable snapshot for clients that cannot hold a WebSocket, and for CDNs in front of
/// the origin: an ETag of epoch and version, 304 when unchanged, and a short max-age so a CDN
/// absorbs the polling instead of the origin.
/// </summary>
public static class ResultsApi
{
    public static IEndpointRouteBuilder MapResultsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/results").WithTags("Results").RequireCors(Push.PushSetup.ViewerCors);
        api.MapGet("/{contest}", (string contest, HttpContext context, Election election, ResultsView view) =>
            Snapshot(contest, "0", context, election, view));
        api.MapGet("/{contest}/{group}", Snapshot);
        return app;
    }

    /// <param name="group">A region id, <c>dapil:&lt;code&gt;</c> or <c>parliament:&lt;region id&gt;</c>.</param>
    private static async Task<IResult> Snapshot(string contest, string group, HttpContext context, Election election, ResultsView view)
    {
        if (election.FindGroup(contest, group) is not { } found)
            return Problems.NotFound($"No results for contest '{FormErrors.Clip(contest)}' and group '{FormErrors.Clip(group)}'.");
        var (epoch, version) = view.Version(found);
        var etag = new EntityTagHeaderValue($"\"{epoch}.{version}\"");
        var headers = context.Response.GetTypedHeaders();
        headers.ETag = etag;
        headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromSeconds(2) };
        var ifNoneMatch = context.Request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch.Any(tag => tag.Compare(etag, useStrongComparison: false) || tag.Equals(EntityTagHeaderValue.Any)))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        // Built after the version was read: it may be newer than the ETag, never older.
        return TypedResults.Ok(await view.SnapshotAsync(found));
    }
}

using Broadcast.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Broadcast.History;

/// <summary>
/// <c>GET /api/v1/history</c>: the span of the revision log, the first and the latest revision
/// (seq and receive time), which a timeline scrubs over. The totals as of a moment are the read
/// API's <c>?asOf=</c> (<see cref="AsOfResults"/>).
/// </summary>
public static class HistoryApi
{
    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/history", Span).WithTags("Results").RequireCors(Push.PushSetup.ViewerCors)
            .WithSummary("The span of the revision log, which a timeline scrubs over").WithName("GetHistory")
            .WithHeader(StatusCodes.Status200OK, "Cache-Control", "`public, max-age=2`.");
        return app;
    }

    private static async Task<Ok<HistorySpan>> Span(RevisionHistory history, HttpContext context)
    {
        await history.CatchUpAsync(context.RequestAborted);
        context.Response.GetTypedHeaders().CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromSeconds(2) };
        return TypedResults.Ok(new HistorySpan(history.First, history.Latest));
    }
}

/// <summary>The first and the latest revision of the log (both null while it is empty).</summary>
public sealed record HistorySpan(LogPoint? First, LogPoint? Latest);

using System.Text.Json;
using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.OpenApi;
using Broadcast.Push;
using Broadcast.Results;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Broadcast.Graphics;

/// <summary>
/// What TV graphics systems consume (CasparCG, Vizrt, OBS browser sources, data-driven
/// templates): one flat key-value object per (contest, region) with plain names, as JSON and
/// as a server-sent-events stream that pushes the object whenever the totals change.
/// </summary>
public static class GraphicsFeed
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapGraphicsFeed(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/graphics").WithTags("Graphics").RequireCors(PushSetup.ViewerCors);
        api.MapGet("/{contest}/{region}", Flat)
            .WithSummary("One flat key-value object of a group's totals, for graphics templates").WithName("GetGraphics")
            .Answers<Dictionary<string, JsonElement>>(StatusCodes.Status200OK,
                "`contest`, `region_id`, `region_name`, `region_level`, `notice`, `epoch`, `version`, `served_at`, `stations_total`, " +
                "`stations_reported`, `stations_quarantined`, `reporting_percent`, `valid`, `invalid`, per choice `choice_<id>_name`, " +
                "`choice_<id>_votes`, `choice_<id>_percent` (dapils and parliaments `choice_<id>_seats`, `seats_total`...), " +
                "`leader_id`, `leader_name`, `leader_margin_percent`. Strings and numbers only.")
            .Cacheable("`public, max-age=2`.")
            .AnswersNotModified()
            .AnswersProblem(StatusCodes.Status404NotFound, "No such contest or group.");
        api.MapGet("/{contest}/{region}/events", Stream)
            .WithSummary("The same object as server-sent events, whenever the group changes").WithName("StreamGraphics")
            .Answers<string>(StatusCodes.Status200OK,
                "`event: totals`, `id: <epoch>.<version>`, `data:` the flat object; at connect and on every change, " +
                "and a `: keep-alive` comment after 15 s of quiet.", "text/event-stream")
            .AnswersProblem(StatusCodes.Status404NotFound, "No such contest or group.");
        return app;
    }

    /// <summary>The flat object, with an ETag of the group's version so a template polling it gets 304s while nothing moved.</summary>
    private static async Task<IResult> Flat(string contest, string region, HttpContext context, Election election, ResultsView view,
        IOptions<ElectionOptions> options)
    {
        if (election.FindGroup(contest, region) is not { } group)
            return Problems.NotFound($"No results for contest '{FormErrors.Clip(contest)}' and group '{FormErrors.Clip(region)}'.");
        var (epoch, version) = view.Version(group);
        if (ResultsApi.Revalidate(context, new EntityTagHeaderValue($"\"{epoch}.{version}\""),
                new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromSeconds(2) }) is { } notModified)
            return notModified;
        return TypedResults.Json(Flatten(await view.SnapshotAsync(group), Columns(group, election), options.Value.Notice));
    }

    private static async Task Stream(string contest, string region, HttpContext context, Election election,
        ResultsView view, ResultsPublisher publisher, IOptions<ElectionOptions> options)
    {
        if (election.FindGroup(contest, region) is not { } group)
        {
            await Problems.NotFound($"No results for contest '{FormErrors.Clip(contest)}' and group '{FormErrors.Clip(region)}'.").ExecuteAsync(context);
            return;
        }
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no"; // nginx must not buffer the stream
        var cancel = context.RequestAborted;
        var sent = (Epoch: "", Version: -1L);
        var quietSince = DateTime.UtcNow;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                var next = publisher.NextPublish; // taken before reading, so no change slips between
                if (view.Version(group) != sent)
                {
                    var snapshot = await view.SnapshotAsync(group);
                    var data = JsonSerializer.Serialize(Flatten(snapshot, Columns(group, election), options.Value.Notice));
                    await context.Response.WriteAsync($"id: {snapshot.Epoch}.{snapshot.Version}\nevent: totals\ndata: {data}\n\n", cancel);
                    sent = (snapshot.Epoch, snapshot.Version);
                    quietSince = DateTime.UtcNow;
                }
                else if (DateTime.UtcNow - quietSince >= KeepAlive)
                {
                    // Proxies close idle streams; a comment line keeps this one open.
                    await context.Response.WriteAsync(": keep-alive\n\n", cancel);
                    quietSince = DateTime.UtcNow;
                }
                await context.Response.Body.FlushAsync(cancel);
                try { await next.WaitAsync(KeepAlive, cancel); }
                catch (TimeoutException) { } // time for a keep-alive
            }
        }
        catch (OperationCanceledException)
        {
            // The graphics system disconnected.
        }
    }

    /// <summary>The columns of a group: a region's (pairs, parties, a province's DPD candidates), a dapil's ballot, a parliament's parties.</summary>
    private static IReadOnlyList<Choice> Columns(ResultsGroup group, Election election) => group.Kind switch
    {
        GroupKind.Dapil when group.Dapil.Ballot.Parties.Count > 0 => group.Contest.Parties,
        GroupKind.Dapil => group.Dapil.Ballot.Choices,
        GroupKind.Parliament => group.Contest.Columns(group.Parliament.Region),
        _ => group.Contest.Columns(group.Index),
    };

    /// <summary>The flat object of <paramref name="s"/> with the group's columns (<see cref="GraphicsValues.Flatten"/>, shared with .NET clients).</summary>
    private static Dictionary<string, object> Flatten(ResultsSnapshot s, IReadOnlyList<Choice> choices, string? notice) =>
        GraphicsValues.Flatten(s, choices.Select(choice => (choice.Id, choice.Name)).ToList(), notice);
}

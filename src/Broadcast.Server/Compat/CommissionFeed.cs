// Program.cs stays a table of contents with one line for this feature (app.MapCommissionFeed()).

using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.OpenApi;
using Broadcast.Push;
using Broadcast.Results;
using Microsoft.Net.Http.Headers;

namespace Broadcast.Compat;

/// <summary>
/// The JSON files that news sites and volunteer projects already poll from the election
/// commission's results site, at the commission's paths and in its shapes, served from the live
/// totals: a poller switches to Broadcast by changing the host name. The 2019 site's files under
/// the 2019 election (<see cref="Situng2019"/>), the 2024 site's under the 2024 election
/// (<see cref="Sirekap2024"/>); the presidential contest only. Every other path, an id that is
/// not a child of the one before it, or the other year's files: 404, as the site answered.
/// </summary>
public static class CommissionFeed
{
    /// <summary>
    /// How long a shared cache may keep a totals file. Longer than the read API's 2 s: these
    /// files are what crawlers walk (90,000 region files, 800,000 station files) and what many
    /// sites poll with no push to tell them of a change, so a CDN should answer nearly all of it;
    /// with 5 s the origin serves a file at most once per 5 s per cache, whatever the number of
    /// pollers, and a poller is at most 5 s behind the screens. The site it replaces changed its
    /// files every quarter of an hour at best, so no poller written against it notices.
    /// </summary>
    public static readonly TimeSpan TotalsMaxAge = TimeSpan.FromSeconds(5);

    /// <summary>Region and candidate lists do not change while a node runs.</summary>
    public static readonly TimeSpan ListsMaxAge = TimeSpan.FromHours(1);

    public static IEndpointRouteBuilder MapCommissionFeed(this IEndpointRouteBuilder app)
    {
        var clock = new FeedClock(app.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System);
        var listed = clock.Now();
        var files = app.MapGroup("").WithTags("Commission feed").RequireCors(PushSetup.ViewerCors);
        MapSite(files, Situng2019.Site, clock, listed,
            totals: "/static/json/hhcw/ppwp", lists: "/static/json/wilayah", candidates: "/static/json/ppwp.json");
        MapSite(files, Sirekap2024.Site, clock, listed,
            totals: "/pemilu/hhcw/ppwp", lists: "/wilayah/pemilu/ppwp", candidates: "/pemilu/ppwp.json");
        return app;
    }

    private static void MapSite(RouteGroupBuilder files, CommissionSite site, FeedClock clock, string listed,
        string totals, string lists, string candidates)
    {
        var name = site == Situng2019.Site ? "Situng2019" : "Sirekap2024";
        var year = site == Situng2019.Site ? "2019 (Situng), under `pilpres2019`" : "2024 (Sirekap), under `pemilu2024`";
        files.MapGet(totals + ".json", (HttpContext context, Election election, ResultsView view) =>
            Totals(site, site.Serves(election) ? new SiteFile(RegionTree.National) : null, context, election, view, clock))
            .WithSummary($"{year}: the national totals file").WithName(name + "NationalFile").AnswersFile(TotalsMaxAge, "The site's totals shape (docs/api.md).");
        files.MapGet(totals + "/{**path}", (string path, HttpContext context, Election election, ResultsView view) =>
            Totals(site, site.Serves(election) ? site.Resolve(election, path, stations: true) : null, context, election, view, clock))
            .WithSummary($"{year}: a region's or a station's totals file, by the chain of ids from the province down").WithName(name + "TotalsFile")
            .AnswersFile(TotalsMaxAge, "The site's totals shape, or its station shape (docs/api.md).");
        files.MapGet(lists + "/{**path}", (string path, HttpContext context, Election election) =>
            Children(site, path, context, election))
            .WithSummary($"{year}: a region's children (`0.json`: the provinces)").WithName(name + "ListFile").AnswersFile(ListsMaxAge, "The site's list shape (docs/api.md).");
        files.MapGet(candidates, (HttpContext context, Election election) =>
            site.Serves(election)
                ? List(context, election, json => site.WriteCandidates(json, election, listed))
                : NoSuchFile(context))
            .WithSummary($"{year}: the pairs").WithName(name + "PairsFile").AnswersFile(ListsMaxAge, "The site's pairs shape (docs/api.md).");
    }

    /// <summary>Every file of the feed: the commission's JSON (its shapes are documented in docs/api.md, not here), ETag, 304, 404.</summary>
    private static RouteHandlerBuilder AnswersFile(this RouteHandlerBuilder builder, TimeSpan maxAge, string shape) => builder
        .Answers<System.Text.Json.JsonElement>(StatusCodes.Status200OK, shape)
        .Cacheable($"`public, max-age={maxAge.TotalSeconds:0}`.")
        .AnswersNotModified()
        .AnswersProblem(StatusCodes.Status404NotFound, "No such file: an unknown path or id, an id that is not a child of the one before it, the other year's files.");

    /// <summary>A region's totals file, or a station's: ETag the version of the region (a station's village), 304 while unchanged.</summary>
    private static async Task<IResult> Totals(CommissionSite site, SiteFile? file, HttpContext context, Election election,
        ResultsView view, FeedClock clock)
    {
        if (file is not { } found) return NoSuchFile(context);
        var group = ResultsGroup.Region(CommissionSite.ContestOf(election), found.Region);
        var (epoch, version) = view.Version(group);
        var headers = context.Response.GetTypedHeaders();
        headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TotalsMaxAge };
        var current = new EntityTagHeaderValue($"\"{epoch}.{version}\"");
        if (ResultsApi.NotModified(context, current))
        {
            headers.ETag = current;
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        // Built after the version was read, so it may be newer: the ETag names what is sent.
        var snapshot = await view.SnapshotAsync(group);
        headers.ETag = new EntityTagHeaderValue($"\"{snapshot.Epoch}.{snapshot.Version}\"");
        var ts = clock.Stamp(snapshot.Epoch, snapshot.Version);
        return TypedResults.Bytes(CommissionSite.Render(json =>
        {
            if (found.IsStation) site.WriteStation(json, election, snapshot, found.Station, ts);
            else site.WriteTotals(json, election, snapshot, ts);
        }), "application/json");
    }

    /// <summary>A region's children (<c>wilayah</c>): <c>0.json</c> lists the provinces, a village's file its stations.</summary>
    private static IResult Children(CommissionSite site, string path, HttpContext context, Election election)
    {
        var file = !site.Serves(election) ? null
            : path == "0.json" ? new SiteFile(RegionTree.National)
            : site.Resolve(election, path, stations: false);
        return file is { } found
            ? List(context, election, json => site.WriteChildren(json, election, found.Region))
            : NoSuchFile(context);
    }

    /// <summary>A file that only changes with the election loaded: its id is the ETag.</summary>
    private static IResult List(HttpContext context, Election election, Action<System.Text.Json.Utf8JsonWriter> write) =>
        ResultsApi.Revalidate(context, new EntityTagHeaderValue($"\"{election.Id}\""), new CacheControlHeaderValue { Public = true, MaxAge = ListsMaxAge })
        ?? TypedResults.Bytes(CommissionSite.Render(write), "application/json");

    private static IResult NoSuchFile(HttpContext context) =>
        Problems.NotFound($"No such file: '{FormErrors.Clip(context.Request.Path.Value ?? "")}'.");
}

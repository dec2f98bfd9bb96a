using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.OpenApi;
using Broadcast.Operators;

namespace Broadcast.Publication;

/// <summary>What an operator holds or releases: a contest in a region (<c>"0"</c>: the whole contest), and why.</summary>
public sealed record HoldRequest(string? Contest, string? Region, string? Reason);

/// <summary>
/// <c>/api/v1/operator/holds</c>: take, list and release publication holds, each recorded as an
/// operator action with who and why.
/// </summary>
public static class HoldApi
{
    public static IEndpointRouteBuilder MapHoldApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/operator/holds").WithTags("Operator").RequireAuthorization(OperatorAuthentication.Policy);
        api.MapGet("", (Holds holds) => TypedResults.Ok(holds.Active))
            .WithSummary("The publication holds in force").WithName("ListHolds");
        api.MapPost("", Take)
            .WithSummary("Hold the publication of a contest in a region and every group under it").WithName("HoldPublication")
            .Answers<Hold>(StatusCodes.Status201Created, "Held as of `seq`: viewers see the numbers of that moment until the release.")
            .WithHeader(StatusCodes.Status201Created, "Location", "The list of holds.")
            .AnswersProblem(StatusCodes.Status409Conflict, "Already held there; release it first.")
            .AnswersFieldProblem(StatusCodes.Status422UnprocessableEntity, "`errors` names `contest`, `region` or `reason`.");
        api.MapPost("/release", Release)
            .WithSummary("Release a hold: what moved meanwhile goes out as one frame").WithName("ReleaseHold")
            .Answers<Hold>(StatusCodes.Status200OK, "The hold released.")
            .AnswersProblem(StatusCodes.Status404NotFound, "Not held there.")
            .AnswersFieldProblem(StatusCodes.Status422UnprocessableEntity, "`errors` names `contest`, `region` or `reason`.");
        return app;
    }

    private static async Task<IResult> Take(HoldRequest body, HttpContext context, Election election, Holds holds)
    {
        if (Invalid(body, election) is { } invalid) return invalid;
        var hold = await holds.HoldAsync(body.Contest!, body.Region!, OperatorAuthentication.OperatorId(context), body.Reason!.Trim());
        return hold is null
            ? Problems.Conflict($"{body.Contest} in region {body.Region} is already held; release it first.")
            : TypedResults.Created("/api/v1/operator/holds", hold);
    }

    private static async Task<IResult> Release(HoldRequest body, HttpContext context, Election election, Holds holds)
    {
        if (Invalid(body, election) is { } invalid) return invalid;
        var released = await holds.ReleaseAsync(body.Contest!, body.Region!, OperatorAuthentication.OperatorId(context), body.Reason!.Trim());
        return released is null
            ? Problems.NotFound($"{body.Contest} in region {body.Region} is not held.")
            : TypedResults.Ok(released);
    }

    private static IResult? Invalid(HoldRequest body, Election election)
    {
        var errors = new FormErrors();
        if (string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Trim().Length > OperatorApi.MaxReasonLength)
            errors.Add("reason", $"is required: say why, in at most {OperatorApi.MaxReasonLength} characters (it is kept in the operator actions)");
        if (body.Contest is null || election.FindContest(body.Contest) is not { } contest)
            errors.Add("contest", $"must be a contest of this election ({string.Join(", ", election.Contests.Select(c => c.Id))})");
        else if (body.Region is null || election.FindRegion(body.Region) is not { } region || !contest.Covers(region))
            errors.Add("region", "must be the id of a region the contest covers (\"0\": the whole contest)");
        return errors.Any ? Problems.Invalid(errors) : null;
    }
}

public static class PublicationSetup
{
    public static IHostApplicationBuilder AddPublicationHolds(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Holds>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Holds>());
        return builder;
    }
}

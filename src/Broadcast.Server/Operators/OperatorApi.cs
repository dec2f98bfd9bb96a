using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.OpenApi;
using Broadcast.Storage;
using Hangfire;
using Hangfire.Dashboard;
using Broadcast.Rehearsal;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Broadcast.Operators;

/// <summary>A reason, required for every operator decision and kept in the audit trail.</summary>
public sealed record ReasonRequest(string? Reason);

/// <summary>Who an operator secret belongs to: the console says whose credential is signed in.</summary>
public sealed record OperatorIdentity(string Id);

/// <summary>
/// What operators do, each behind the operator policy and each recorded with who did it and why:
/// decisions on quarantined forms (accept, reject: new revisions in the chain), rebuilds
/// (an operator action), and reading the trail of actions.
/// </summary>
public static class OperatorApi
{
    public const int MaxReasonLength = 500;

    public static IEndpointRouteBuilder MapOperatorApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/operator").WithTags("Operator").RequireAuthorization(OperatorAuthentication.Policy);
        api.MapPost("/rebuild", Rebuild)
            .WithSummary("Recompute every total from the stored revisions under a new epoch").WithName("Rebuild")
            .AnswersInvalidReason();
        api.MapPost("/reconcile", async (Aggregator aggregator, CancellationToken ct) => TypedResults.Ok(await aggregator.ReconcileAsync(ct)))
            .WithSummary("Compare the incremental totals with a from-scratch fold (and check the whole chain)").WithName("Reconcile");
        api.MapPost("/aggregate", async (Aggregator aggregator, CancellationToken ct) => TypedResults.Ok(await aggregator.RunAsync(ct)))
            .WithSummary("Run the aggregation now").WithName("Aggregate");
        api.MapGet("/queue", ReviewQueue.ReadAsync)
            .WithSummary("The review queue: stations whose latest revision is quarantined").WithName("GetReviewQueue")
            .Answers<ReviewQueuePage>(StatusCodes.Status200OK, "A page of the queue in station order, each with the held and the counted revision.")
            .AnswersFieldProblem(StatusCodes.Status400BadRequest, "An unknown `contest`, `after` below 0, or `limit` not from 1 to 100 (`errors` names it).");
        api.MapPost("/rehearsal/reset", ResetRehearsal)
            .WithSummary("Clear a rehearsal: every form and total, under a new epoch").WithName("ResetRehearsal")
            .Answers<RebuildReport>(StatusCodes.Status200OK, "Cleared; the new epoch.")
            .AnswersProblem(StatusCodes.Status409Conflict, "This server counts the live election: only a rehearsal can be reset.")
            .AnswersInvalidReason();
        api.MapGet("/status", (NightPanel panel) => TypedResults.Ok(panel.Status()))
            .WithSummary("The live panel: forms per second, aggregation lag, viewers per node, form-to-screen lag").WithName("GetNightStatus");
        api.MapGet("/me", (HttpContext context) => TypedResults.Ok(new OperatorIdentity(OperatorAuthentication.OperatorId(context))))
            .WithSummary("Who the credential sent belongs to (the console shows it)").WithName("GetOperatorIdentity");
        api.MapGet("/actions", async (FormStore store, long? after, int? limit) =>
            TypedResults.Ok(await store.ReadActionsAsync(after ?? 0, Math.Clamp(limit ?? 100, 1, 1000))))
            .WithSummary("The operator actions that are not revisions (rebuilds, holds, key changes), oldest first").WithName("GetOperatorActions");
        api.MapIngestKeys();

        var decisions = app.MapGroup("/api/v1/stations/{station}/forms/{contest}/{revision:int}").WithTags("Operator")
            .RequireAuthorization(OperatorAuthentication.Policy);
        decisions.MapPost("/accept", (string station, string contest, int revision, ReasonRequest body, HttpContext context,
            Election election, FormStore store, FormWriter writer) =>
            Decide(station, contest, revision, body, FormStatus.Counted, context, election, store, writer))
            .WithSummary("Accept a quarantined revision: count its numbers").WithName("AcceptRevision").AnswersDecision();
        decisions.MapPost("/reject", (string station, string contest, int revision, ReasonRequest body, HttpContext context,
            Election election, FormStore store, FormWriter writer) =>
            Decide(station, contest, revision, body, FormStatus.Rejected, context, election, store, writer))
            .WithSummary("Reject a quarantined revision: keep it out for good").WithName("RejectRevision").AnswersDecision();

        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new OperatorDashboardAuthorization()],
            IsReadOnlyFunc = context => Authenticate(context.GetHttpContext()) is null,
        });
        return app;
    }

    private static async Task<Results<Ok<RebuildReport>, JsonHttpResult<HttpValidationProblemDetails>>> Rebuild(
        ReasonRequest body, HttpContext context, Aggregator aggregator, FormStore store, CancellationToken ct)
    {
        if (InvalidReason(body) is { } invalid) return invalid;
        var report = await aggregator.RebuildAsync(ct);
        await store.RecordActionAsync(OperatorAuthentication.OperatorId(context), "rebuild", $"epoch {report.Epoch}", body.Reason!.Trim());
        return TypedResults.Ok(report);
    }

    /// <summary>Clears a rehearsal (every form and total) so the next one starts from nothing; refused on a live server.</summary>
    private static async Task<IResult> ResetRehearsal(ReasonRequest body, HttpContext context, Aggregator aggregator, FormStore store,
        IOptions<RehearsalOptions> rehearsal, History.RevisionHistory history, CancellationToken ct)
    {
        if (!rehearsal.Value.Enabled)
            return Problems.Conflict("This server counts the live election: only a rehearsal (--rehearsal, demo mode) can be reset.");
        if (InvalidReason(body) is { } invalid) return invalid;
        var report = await aggregator.ClearAsync(ct);
        await history.CatchUpAsync(ct); // drops this node's copy of the log from before the reset (other nodes: at their next catch-up)
        await store.RecordActionAsync(OperatorAuthentication.OperatorId(context), "rehearsal-reset", $"epoch {report.Epoch}", body.Reason!.Trim());
        return TypedResults.Ok(report);
    }

    /// <summary>
    /// An operator decides on a station's latest quarantined revision: accepting counts its
    /// numbers, rejecting keeps them out for good (the station no longer awaits a decision).
    /// Either way a new revision records the decision, the operator and the reason.
    /// </summary>
    private static async Task<IResult> Decide(string station, string contest, int revision, ReasonRequest body, FormStatus decision,
        HttpContext context, Election election, FormStore store, FormWriter writer)
    {
        if (InvalidReason(body) is { } invalid) return invalid;
        if (election.FindContest(contest) is not { } c || election.FindStation(station) is not { } index)
            return Problems.NotFound($"No polling station '{FormErrors.Clip(station)}' with contest '{FormErrors.Clip(contest)}'.");
        station = election.StationId(index);
        var held = (await store.ReadStationAsync(c.Id, station)).FirstOrDefault(r => r.Revision == revision);
        if (held is null) return Problems.NotFound($"Station '{station}' has no revision {revision}.");

        var decided = new NewRevision(c.Id, station, held.Numbers, decision, held.Problems, Accepts: revision, Reason: body.Reason!.Trim());
        AppendResult result;
        try { result = await writer.AppendAsync(new AppendRequest(Submitter(context), null, [], [decided])); }
        catch (StoreUnavailableException) { return Problems.Unavailable(context); }
        return result.Outcome == AppendOutcome.NotAcceptable
            ? Problems.Conflict($"Revision {revision} is not the station's latest quarantined revision; only that one can be decided on.")
            : TypedResults.Accepted($"/api/v1/stations/{Uri.EscapeDataString(station)}/forms/{c.Id}", result.Receipts[0]);
    }

    private static RouteHandlerBuilder AnswersDecision(this RouteHandlerBuilder builder) => builder
        .Answers<FormReceipt>(StatusCodes.Status202Accepted, "The decision, stored as a new revision with the same numbers (`status` `counted` or `rejected`).")
        .WithHeader(StatusCodes.Status202Accepted, "Location", "The station's trail for the contest.")
        .AnswersProblem(StatusCodes.Status404NotFound, "No such station or contest, or no such revision.")
        .AnswersProblem(StatusCodes.Status409Conflict, "Not the station's latest quarantined revision: only that one can be decided on.")
        .AnswersInvalidReason()
        .AnswersProblem(StatusCodes.Status503ServiceUnavailable, "The store cannot take the decision right now; retry after `Retry-After`.")
        .WithHeader(StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds to wait before retrying.");

    /// <summary>The 422 of every operator decision without a usable reason.</summary>
    internal static RouteHandlerBuilder AnswersInvalidReason(this RouteHandlerBuilder builder) =>
        builder.AnswersFieldProblem(StatusCodes.Status422UnprocessableEntity, $"`reason` is missing, blank or over {MaxReasonLength} characters.");

    /// <summary>How an operator appears as the submitter of a revision.</summary>
    public static string Submitter(HttpContext context) => "operator:" + OperatorAuthentication.OperatorId(context);

    private static JsonHttpResult<HttpValidationProblemDetails>? InvalidReason(ReasonRequest? body)
    {
        if (body?.Reason is { } reason && reason.Trim().Length is > 0 and <= MaxReasonLength) return null;
        var errors = new FormErrors();
        errors.Add("reason", $"is required: say why, in at most {MaxReasonLength} characters (it is kept in the public audit trail)");
        return (JsonHttpResult<HttpValidationProblemDetails>)Problems.Invalid(errors);
    }

    private static string? Authenticate(HttpContext context) =>
        context.RequestServices.GetRequiredService<OperatorKeys>().Authenticate(context.Request.Headers.Authorization);

    /// <summary>
    /// The dashboard opens, read-only, for requests from this machine (an operator's SSH tunnel);
    /// anything else needs an operator key. Behind a reverse proxy on the same host, do not route
    /// /hangfire (see infra/).
    /// </summary>
    private sealed class OperatorDashboardAuthorization : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var http = context.GetHttpContext();
            var remote = http.Connection.RemoteIpAddress;
            return (remote is not null && System.Net.IPAddress.IsLoopback(remote)) || Authenticate(http) is not null;
        }
    }
}

public static class OperatorSetup
{
    public static IHostApplicationBuilder AddOperators(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperatorOptions>().BindConfiguration(OperatorOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<OperatorOptions>, ValidateOperatorOptions>();
        builder.Services.AddSingleton<OperatorKeys>();
        builder.Services.AddSingleton<NightPanel>();
        builder.Services.AddHostedService(services => services.GetRequiredService<NightPanel>());
        builder.Services.AddAuthentication()
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, OperatorAuthentication>(OperatorAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy(OperatorAuthentication.Policy, policy => policy
            .AddAuthenticationSchemes(OperatorAuthentication.SchemeName).RequireAuthenticatedUser());
        return builder;
    }
}

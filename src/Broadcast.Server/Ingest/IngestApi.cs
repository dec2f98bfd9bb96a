using System.Security.Cryptography;
using Broadcast.Elections;
using Broadcast.OpenApi;
using Broadcast.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Broadcast.Ingest;

public sealed record BatchReceipts(IReadOnlyList<FormReceipt> Receipts);

/// <summary>Where counting apps post C1 forms, and where anyone reads a station's revisions.</summary>
public static class IngestApi
{
    private const int MaxIdempotencyKeyLength = 128;

    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Ingest");
        api.MapPost("/forms", SubmitForm).WithMetadata(new IngestEndpoint(Batch: false))
            .RequireRateLimiting(IngestSetup.RateLimitPolicy).RequireAuthorization(IngestAuthentication.Policy)
            .WithSummary("Submit one C1 form").WithName("SubmitForm")
            .Answers<FormReceipt>(StatusCodes.Status202Accepted,
                "Stored, `counted` or `quarantined` (its `problems` and `rules` say why), or a `duplicate` of the station's latest revision (nothing stored).")
            .WithHeader(StatusCodes.Status202Accepted, "Location", "The station's trail for the contest.")
            .AnswersIngestRefusals("The form");
        api.MapPost("/forms:batch", SubmitBatch).WithMetadata(new IngestEndpoint(Batch: true))
            .RequireRateLimiting(IngestSetup.RateLimitPolicy).RequireAuthorization(IngestAuthentication.Policy)
            .WithSummary("Submit up to 5,000 forms in one commit, all or nothing").WithName("SubmitForms")
            .Answers<BatchReceipts>(StatusCodes.Status202Accepted, "Stored in one commit: one receipt per form, in order.")
            .AnswersIngestRefusals("A form (its fields are prefixed by its index, `[3].votes.01`)");
        api.MapGet("/stations/{station}/forms/{contest}", StationForms.Read).WithTags("Results")
            .WithSummary("A station's public trail: every revision of its form").WithName("GetStationForms")
            .Answers<StationFormsView>(StatusCodes.Status200OK, "Every revision, which one is counted, and why a held one is held.")
            .AnswersProblem(StatusCodes.Status404NotFound, "No such station, or no such contest.");
        return app;
    }

    /// <summary>What a form endpoint refuses besides authentication and the rate limit (which come with its policies).</summary>
    private static RouteHandlerBuilder AnswersIngestRefusals(this RouteHandlerBuilder builder, string which) => builder
        .AnswersFieldProblem(StatusCodes.Status403Forbidden,
            "The key may not post these forms: `errors` names each one's `contest` or `station`. Nothing was stored.")
        .AnswersProblem(StatusCodes.Status413PayloadTooLarge, "The body is over `Ingest:MaxFormBytes` (default 16 KiB; a batch `Ingest:MaxBatchBytes`, 4 MiB). Nothing was stored.")
        .AnswersProblem(StatusCodes.Status415UnsupportedMediaType,
            "The body was not declared as `application/json` (the batch also takes `application/x-ndjson`). Nothing was stored.")
        .AnswersFieldProblem(StatusCodes.Status422UnprocessableEntity,
            $"{which} is not valid, or the `Idempotency-Key` was used with another body: `errors` names each field. Nothing was stored.")
        .AnswersProblem(StatusCodes.Status503ServiceUnavailable,
            "The store cannot take the forms right now; nothing was stored. Retry after `Retry-After` with the same `Idempotency-Key`.")
        .WithHeader(StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds to wait before retrying.");

    private static Task<IResult> SubmitForm(HttpContext context, [AsParameters] IngestServices services) =>
        Submit(context, services, batch: false);

    private static Task<IResult> SubmitBatch(HttpContext context, [AsParameters] IngestServices services) =>
        Submit(context, services, batch: true);

    private static async Task<IResult> Submit(HttpContext context, IngestServices services, bool batch)
    {
        if (IngestAuthentication.KeyId(context) is not { } keyId || services.Keys.FindById(keyId) is not { } key) return Problems.Unauthorized();
        if (!MediaType.Accepts(context.Request, batch)) return Problems.UnsupportedMediaType(batch ? "application/json or application/x-ndjson" : "application/json");

        var options = services.Options.Value;
        // A signed request's body was read (and checked against its signature) by authentication.
        var signed = IngestAuthentication.Signed(context);
        var body = signed?.Body ?? await RequestBody.ReadAsync(context.Request, batch ? options.MaxBatchBytes : options.MaxFormBytes, context.RequestAborted);
        if (body is null) return Problems.TooLarge(batch ? options.MaxBatchBytes : options.MaxFormBytes);

        var errors = new FormErrors();
        var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } k ? k : null;
        if (idempotencyKey is { Length: > MaxIdempotencyKeyLength })
            errors.Add("Idempotency-Key", $"must be at most {MaxIdempotencyKeyLength} characters");
        var ndjson = MediaType.IsNdjson(context.Request);
        var forms = batch
            ? FormParser.ParseBatch(body, ndjson, options.MaxBatchForms, services.Election, errors)
            : FormParser.ParseOne(body, services.Election, errors) is { } one ? [one] : null;
        if (forms is null || errors.Any) return Problems.Invalid(errors);

        var refused = new FormErrors();
        for (var i = 0; i < forms.Count; i++)
            if (key.RefusedField(forms[i], services.Election) is { } field)
                refused.Add(batch ? $"[{i}].{field}" : field, field == "contest"
                    ? $"key '{FormErrors.Clip(key.Id)}' may not post contest '{forms[i].Contest.Id}'"
                    : $"key '{FormErrors.Clip(key.Id)}' may not post for station '{forms[i].Station}': it is outside the key's regions");
        if (refused.Any) return Problems.Forbidden(key.Id, refused);

        var revisions = forms.Select(form =>
        {
            var (status, problems) = FormRules.Check(form, services.Election, services.Rules.Value);
            return new NewRevision(form.Contest.Id, form.Station, form.Numbers, status, problems);
        }).ToList();
        var request = new AppendRequest(key.Id, idempotencyKey, signed?.BodySha256 ?? SHA256.HashData(body), revisions, signed?.Signature);

        AppendResult result;
        try { result = await services.Writer.AppendAsync(request); }
        catch (StoreUnavailableException) { return Problems.Unavailable(context); }

        if (result.Outcome == AppendOutcome.IdempotencyKeyReused) return Problems.IdempotencyKeyReused();
        if (result.Outcome == AppendOutcome.SignatureReplayed) return Problems.SignatureReplayed();
        var location = $"/api/v1/stations/{Uri.EscapeDataString(forms[0].Station)}/forms/{forms[0].Contest.Id}";
        return batch
            ? TypedResults.Accepted((string?)null, new BatchReceipts(result.Receipts))
            : TypedResults.Accepted(location, result.Receipts[0]);
    }
}

/// <summary>What ingest endpoints need, resolved once per request by the framework.</summary>
public sealed record IngestServices(Election Election, IngestKeys Keys, FormWriter Writer,
    IOptions<IngestOptions> Options, IOptions<RulesOptions> Rules);

/// <summary>
/// What a body must be declared as. A text/plain or undeclared body is refused rather than read
/// as JSON: a client that does not say what it sends may not be sending what we think.
/// </summary>
internal static class MediaType
{
    public static bool Accepts(HttpRequest request, bool batch) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (batch && type.MediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase)));

    public static bool IsNdjson(HttpRequest request) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && type.MediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase);
}

internal static class RequestBody
{
    /// <summary>The whole body, or null if it is larger than <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit) return null;
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}

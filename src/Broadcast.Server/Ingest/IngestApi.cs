using System.Security.Cryptography;
using Broadcast.Elections;
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
            .RequireRateLimiting(IngestSetup.RateLimitPolicy).RequireAuthorization(IngestAuthentication.Policy);
        api.MapPost("/forms:batch", SubmitBatch).WithMetadata(new IngestEndpoint(Batch: true))
            .RequireRateLimiting(IngestSetup.RateLimitPolicy).RequireAuthorization(IngestAuthentication.Policy);
        api.MapGet("/stations/{station}/forms/{contest}", StationForms.Read).WithTags("Results");
        return app;
    }

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

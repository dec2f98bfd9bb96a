using Microsoft.AspNetCore.Mvc;

namespace Broadcast.Ingest;

/// <summary>The problem+json answers of the API, each with a stable type URI.</summary>
public static class Problems
{
    private const string ContentType = "application/problem+json";

    public static IResult Invalid(FormErrors errors)
    {
        var problem = new HttpValidationProblemDetails(errors.ToDictionary())
        {
            Type = "https://broadcast.example/problems/invalid-form",
            Title = "The form is not valid; nothing was stored.",
            Status = StatusCodes.Status422UnprocessableEntity,
        };
        // The list is bounded (FormErrors); say how much was left out so the client knows it is not all.
        if (errors.Omitted > 0) problem.Extensions["omittedErrors"] = errors.Omitted;
        return TypedResults.Json(problem, statusCode: StatusCodes.Status422UnprocessableEntity, contentType: ContentType);
    }

    public static IResult IdempotencyKeyReused() => Invalid(WithError("Idempotency-Key",
        "was already used with a different body; use a new key for a new request"));

    public static IResult Unauthorized() => Problem(StatusCodes.Status401Unauthorized, "unauthorized",
        "A valid ingest key is required: Authorization: Bearer <secret>, or a signed request (Broadcast-Key-Id, Broadcast-Timestamp, Broadcast-Signature).");

    /// <summary>Forms outside the key's scope; <paramref name="errors"/> names each one's field (<c>contest</c>, <c>[3].station</c>).</summary>
    public static IResult Forbidden(string keyId, FormErrors errors)
    {
        var problem = new HttpValidationProblemDetails(errors.ToDictionary())
        {
            Type = "https://broadcast.example/problems/forbidden",
            Title = $"Key '{FormErrors.Clip(keyId)}' may not post these forms; nothing was stored.",
            Status = StatusCodes.Status403Forbidden,
        };
        if (errors.Omitted > 0) problem.Extensions["omittedErrors"] = errors.Omitted;
        return TypedResults.Json(problem, statusCode: StatusCodes.Status403Forbidden, contentType: ContentType);
    }

    // Signed requests (docs/api.md, "Signed requests"): each refusal has its own type, so a client can tell what to fix.

    public static IResult SignatureRequired(string keyId) => Problem(StatusCodes.Status401Unauthorized, "signature-required",
        $"Key '{FormErrors.Clip(keyId)}' must sign its requests (Broadcast-Key-Id, Broadcast-Timestamp, Broadcast-Signature); its secret is not accepted as a bearer.");

    public static IResult MalformedSignature(string what) => Problem(StatusCodes.Status401Unauthorized, "malformed-signature",
        $"The request is not signed as documented: {what}.");

    public static IResult TimestampTooOld(long now, long window) => Timestamp("timestamp-too-old",
        $"Broadcast-Timestamp is more than {window} s in the past; check the client's clock and sign the request again.", now);

    public static IResult TimestampTooNew(long now, long window) => Timestamp("timestamp-too-new",
        $"Broadcast-Timestamp is more than {window} s in the future; check the client's clock and sign the request again.", now);

    public static IResult SignatureMismatch() => Problem(StatusCodes.Status401Unauthorized, "signature-mismatch",
        "Broadcast-Signature is not the HMAC-SHA256 of this request (method, target, timestamp, Idempotency-Key, body digest) under this key; nothing was stored.");

    public static IResult SignatureReplayed() => Problem(StatusCodes.Status401Unauthorized, "signature-replayed",
        "This signature was accepted before: a signed request is accepted once. Sign a retry again (a new timestamp); nothing was stored.");

    /// <summary>A timestamp refusal says the server's clock (<c>serverTime</c>, Unix seconds) so the client can see its skew.</summary>
    private static IResult Timestamp(string type, string detail, long now)
    {
        var problem = new ProblemDetails { Type = $"https://broadcast.example/problems/{type}", Title = detail, Status = StatusCodes.Status401Unauthorized };
        problem.Extensions["serverTime"] = now;
        return TypedResults.Json(problem, statusCode: StatusCodes.Status401Unauthorized, contentType: ContentType);
    }

    public static IResult OperatorOnly() => Problem(StatusCodes.Status401Unauthorized, "unauthorized",
        "An operator key is required: Authorization: Bearer <operator secret>.");

    public static IResult TooLarge(int limit) => Problem(StatusCodes.Status413PayloadTooLarge, "too-large",
        $"The body is larger than {limit} bytes; send fewer forms per request.");

    public static IResult UnsupportedMediaType(string expected) => Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
        $"The body must be sent with Content-Type: {expected}.");

    /// <summary>Written by the rate limiter, which answers outside any endpoint.</summary>
    public static ProblemDetails TooManyRequests(int retryAfterSeconds) => new()
    {
        Type = "https://broadcast.example/problems/too-many-requests",
        Title = $"Too many requests; retry after {retryAfterSeconds} s. Post many forms in one request with POST /api/v1/forms:batch.",
        Status = StatusCodes.Status429TooManyRequests,
    };

    /// <summary>A query parameter out of range: 400, naming the parameter.</summary>
    public static IResult InvalidQuery(string parameter, string message)
    {
        var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [parameter] = [message] })
        {
            Type = "https://broadcast.example/problems/invalid-query",
            Title = "A query parameter is not valid.",
            Status = StatusCodes.Status400BadRequest,
        };
        return TypedResults.Json(problem, statusCode: StatusCodes.Status400BadRequest, contentType: ContentType);
    }

    /// <summary>A moment the revision log does not reach yet (a seq not stored, a time in the future); <paramref name="latest"/> is the latest one it does.</summary>
    public static IResult NotYet(string detail, object? latest) => TypedResults.Json(
        new ProblemDetails
        {
            Type = "https://broadcast.example/problems/not-yet",
            Title = detail,
            Status = StatusCodes.Status409Conflict,
            Extensions = { ["latest"] = latest },
        },
        statusCode: StatusCodes.Status409Conflict, contentType: ContentType);

    public static IResult NotFound(string what) => Problem(StatusCodes.Status404NotFound, "not-found", what);

    public static IResult Conflict(string what) => Problem(StatusCodes.Status409Conflict, "conflict", what);

    public static IResult Unavailable(HttpContext context, int retryAfterSeconds = 5)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status503ServiceUnavailable, "store-unavailable",
            "The forms could not be stored right now and nothing was stored; retry after the Retry-After delay.");
    }

    private static FormErrors WithError(string field, string message)
    {
        var errors = new FormErrors();
        errors.Add(field, message);
        return errors;
    }

    private static IResult Problem(int status, string type, string detail) => TypedResults.Json(
        new ProblemDetails { Type = $"https://broadcast.example/problems/{type}", Title = detail, Status = status },
        statusCode: status, contentType: ContentType);
}

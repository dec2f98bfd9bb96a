using Microsoft.AspNetCore.Mvc;

namespace Broadcast.OpenApi;

/// <summary>
/// What an endpoint answers, for the OpenAPI document, said where the endpoint is mapped. The
/// handlers write their problem+json themselves (<see cref="Ingest.Problems"/>, each with a stable
/// <c>type</c>), so the statuses they can answer are declared here with what each means on that
/// endpoint. Answers that follow from the pipeline rather than the handler (401 behind a policy,
/// 429 from the rate limiter, 400 and 415 from reading a JSON body) are added by
/// <see cref="OperationDocs"/>, from the endpoint's own metadata.
/// </summary>
public static class ResponseDocs
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>A body of <typeparamref name="T"/> with this status.</summary>
    public static RouteHandlerBuilder Answers<T>(this RouteHandlerBuilder builder, int status, string description,
        string contentType = "application/json") =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(T), [contentType]) { Description = description });

    /// <summary>This status without a body (304, 307, a 503 that says only Retry-After).</summary>
    public static RouteHandlerBuilder Answers(this RouteHandlerBuilder builder, int status, string description) =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(void), null) { Description = description });

    /// <summary>A problem+json answer (<see cref="ProblemDetails"/>: type, title, status) with this status.</summary>
    public static RouteHandlerBuilder AnswersProblem(this RouteHandlerBuilder builder, int status, string description) =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), [ProblemJson]) { Description = description });

    /// <summary>A problem+json answer whose <c>errors</c> name each field (<see cref="HttpValidationProblemDetails"/>).</summary>
    public static RouteHandlerBuilder AnswersFieldProblem(this RouteHandlerBuilder builder, int status, string description) =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(HttpValidationProblemDetails), [ProblemJson]) { Description = description });

    /// <summary>304 to a request whose <c>If-None-Match</c> names the current <c>ETag</c>.</summary>
    public static RouteHandlerBuilder AnswersNotModified(this RouteHandlerBuilder builder) =>
        builder.Answers(StatusCodes.Status304NotModified, "Not modified: `If-None-Match` names the current `ETag`; no body.");

    /// <summary>A response header the endpoint sets on answers of <paramref name="status"/>.</summary>
    public static RouteHandlerBuilder WithHeader(this RouteHandlerBuilder builder, int status, string name, string description) =>
        builder.WithMetadata(new ResponseHeader(status, name, description));

    /// <summary><c>ETag</c> and <c>Cache-Control</c> on the 200 (and 304) of a cacheable read.</summary>
    public static RouteHandlerBuilder Cacheable(this RouteHandlerBuilder builder, string cacheControl) =>
        builder.WithHeader(StatusCodes.Status200OK, "ETag", "The version of what is sent; send it back in `If-None-Match` to get a 304 while it is current.")
            .WithHeader(StatusCodes.Status200OK, "Cache-Control", cacheControl)
            .WithHeader(StatusCodes.Status304NotModified, "ETag", "The current version (the one asked about).");
}

/// <summary>A response header documented for one status of an endpoint (<see cref="ResponseDocs.WithHeader"/>).</summary>
public sealed record ResponseHeader(int Status, string Name, string Description);

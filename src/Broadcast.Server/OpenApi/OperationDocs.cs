using System.Text.Json.Nodes;
using Broadcast.Ingest;
using Broadcast.Operators;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace Broadcast.OpenApi;

/// <summary>
/// What every operation of the document gets from its endpoint's metadata rather than from a
/// declaration beside it, so the two cannot disagree: who may call it (the authorization policy:
/// ingest key or signed request, operator key) and the 401 that refuses the others, the ingest
/// rate limiter's 429, the 400 and 415 the framework answers when a JSON body or a typed query
/// parameter cannot be read, the ingest endpoints' request headers and NDJSON batch body, and
/// the response headers declared with <see cref="ResponseDocs.WithHeader"/>.
/// </summary>
internal sealed class OperationDocs : IOpenApiOperationTransformer
{
    public const string IngestBearer = "ingestKey", SignedKeyId = "signedKeyId", SignedTimestamp = "signedTimestamp",
        SignedSignature = "signedSignature", OperatorBearer = "operatorKey";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= [];
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToHashSet();

        if (policies.Contains(IngestAuthentication.Policy))
        {
            operation.Security = [Requirement(document, IngestBearer), Requirement(document, SignedKeyId, SignedTimestamp, SignedSignature)];
            AddProblem(operation, document, StatusCodes.Status401Unauthorized,
                "No valid ingest key, or a signed request refused; the problem's `type` says what to fix: `unauthorized`, " +
                "`signature-mismatch`, `timestamp-too-old`, `timestamp-too-new` (with `serverTime`), `signature-replayed`, " +
                "`signature-required`, `malformed-signature`. Nothing was stored.");
        }
        if (policies.Contains(OperatorAuthentication.Policy))
        {
            operation.Security = [Requirement(document, OperatorBearer)];
            AddProblem(operation, document, StatusCodes.Status401Unauthorized, "An operator key is required (`Authorization: Bearer <operator secret>`).");
        }
        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            AddProblem(operation, document, StatusCodes.Status429TooManyRequests,
                "Too many requests from this key (`Ingest:RequestsPerSecondPerKey`), or from this address without a valid key; " +
                "retry after `Retry-After`, and post many forms at once with the batch.");
            AddHeader(operation, StatusCodes.Status429TooManyRequests, "Retry-After", "Seconds to wait before the next request.");
        }

        if (metadata.OfType<IngestEndpoint>().FirstOrDefault() is { } ingest) await DescribeIngestAsync(operation, ingest, context, cancellationToken);
        else
        {
            var parameters = context.Description.ParameterDescriptions;
            if (parameters.Any(p => p.Source == BindingSource.Body))
            {
                AddProblem(operation, document, StatusCodes.Status400BadRequest, "The body is missing, or is not JSON of this shape.");
                AddProblem(operation, document, StatusCodes.Status415UnsupportedMediaType, "The body was not sent as `Content-Type: application/json`.");
            }
            else if (parameters.Any(p => p.Source == BindingSource.Query && p.Type is { } type && type != typeof(string)))
                AddProblem(operation, document, StatusCodes.Status400BadRequest, "A query parameter is not a number.");
        }

        // The generator names each status by its reason phrase; the endpoint's words say what it means there.
        foreach (var declared in metadata.OfType<IProducesResponseTypeMetadata>())
            if (declared.Description is { } description && operation.Responses.TryGetValue(Key(declared.StatusCode), out var found)
                && found is OpenApiResponse response)
                response.Description = description;
        foreach (var header in metadata.OfType<ResponseHeader>()) AddHeader(operation, header.Status, header.Name, header.Description);
        foreach (var parameter in operation.Parameters ?? [])
            if (parameter is OpenApiParameter { Description: null } described && Parameters.TryGetValue(described.Name ?? "", out var text))
                described.Description = text;
    }

    /// <summary>The API's identifiers and paging parameters, the same wherever they appear (docs/api.md, "Identifiers").</summary>
    private static readonly Dictionary<string, string> Parameters = new()
    {
        ["contest"] = "A contest id: `ppwp` (presidential), or in 2024 `dpr`, `dpd`, `dprd_prov`, `dprd_kab`.",
        ["group"] = "A region id (`0` national, `1` ACEH in 2019, `11` in 2024...), `dapil:<code>` or `parliament:<region id>`.",
        ["region"] = "A region id (`0` national), `dapil:<code>` or `parliament:<region id>`.",
        ["station"] = "A polling station (TPS): 2019 `<village id>.<tps no>` (`25830.2`), 2024 the 13-digit TPS code.",
        ["revision"] = "The revision of the station's form, counted from 1.",
        ["asOf"] = "The totals as of a past moment instead: `seq:<n>`, or an ISO 8601 time with its offset (`2019-04-17T21:00:00+07:00`; escape `+` as `%2B`).",
        ["position"] = "`<epoch>.<version>`, as in the `ETag` or a delta.",
        ["within"] = "Only the parliaments governing within this region id.",
        ["after"] = "Start after this position (a seq, or the `next` of the previous page).",
        ["limit"] = "How many to answer at most.",
        ["id"] = "The ingest key's id.",
        ["path"] = "The rest of the file's path, as on the commission's site.",
    };

    private static string Key(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The form endpoints read their body themselves (<see cref="FormParser"/>, strictly, answering
    /// 415 and 422 in their own words), so it is described here rather than bound: an <c>Accepts</c>
    /// on the endpoint would let routing refuse other content types before the endpoint runs.
    /// </summary>
    private static async Task DescribeIngestAsync(OpenApiOperation operation, IngestEndpoint ingest, OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken)
    {
        var document = context.Document!;
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "Idempotency-Key",
            In = ParameterLocation.Header,
            Description = "Any string up to 128 characters: the same key (per ingest key) with the same body answers the first receipt again, " +
                "with another body 422. Part of a signed request's signature.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 128 },
        });

        const string FormSchema = nameof(FormBody);
        if (document.Components?.Schemas?.ContainsKey(FormSchema) != true)
            document.AddComponent(FormSchema, await context.GetOrCreateSchemaAsync(typeof(FormBody), null, cancellationToken));
        var form = new OpenApiSchemaReference(FormSchema, document);
        var content = new Dictionary<string, OpenApiMediaType>();
        if (!ingest.Batch) content["application/json"] = new() { Schema = form };
        else
        {
            content["application/json"] = new() { Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Array, Items = form, Description = "Up to `Ingest:MaxBatchForms` forms (default 5,000).",
            } };
            content["application/x-ndjson"] = new()
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "One form per line, each as in the JSON array." },
                Example = JsonValue.Create("{\"station\":\"25830.2\",\"contest\":\"ppwp\",\"votes\":{\"01\":115,\"02\":132},\"valid\":247,\"invalid\":4,\"total\":251}\n"),
            };
        }
        operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
    }

    private static OpenApiSecurityRequirement Requirement(OpenApiDocument document, params string[] schemes)
    {
        var requirement = new OpenApiSecurityRequirement();
        foreach (var scheme in schemes) requirement[new OpenApiSecuritySchemeReference(scheme, document)] = [];
        return requirement;
    }

    /// <summary>A problem+json answer, unless the endpoint declared this status itself (its own words win).</summary>
    private static void AddProblem(OpenApiOperation operation, OpenApiDocument document, int status, string description)
    {
        if (operation.Responses!.ContainsKey(Key(status))) return;
        operation.Responses[Key(status)] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ResponseDocs.ProblemJson] = new() { Schema = new OpenApiSchemaReference(nameof(Microsoft.AspNetCore.Mvc.ProblemDetails), document) },
            },
        };
    }

    private static void AddHeader(OpenApiOperation operation, int status, string name, string description)
    {
        if (!operation.Responses!.TryGetValue(Key(status), out var found)
            || found is not OpenApiResponse response) return;
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
    }
}

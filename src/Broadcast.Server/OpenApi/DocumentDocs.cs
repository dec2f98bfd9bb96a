using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Broadcast.OpenApi;

/// <summary>
/// The document as a whole: what it is, its tags, the three ways to authenticate, and the two
/// endpoints that are middleware rather than route handlers (<c>/health/ready</c>, <c>/metrics</c>),
/// which the endpoint explorer does not see. No <c>servers</c>: the document is the same on
/// every node and behind every host name, and paths are relative to the one it came from.
/// </summary>
internal sealed class DocumentDocs : IOpenApiDocumentTransformer
{
    private static readonly (string Name, string Description)[] Tags =
    [
        ("Ingest", "Counting apps post C1 forms (docs/api.md, \"Ingest\"). An ingest key as a bearer, or a signed request."),
        ("Results", "The read API: snapshots with ETags, the count as of any moment (`?asOf=`), a station's public trail, the election."),
        ("Graphics", "One flat key-value object per group for TV graphics systems, as JSON and as server-sent events."),
        ("Chain", "The tamper-evident log of every stored revision (docs/api.md, \"The chain\")."),
        ("Operator", "Operators' decisions and tools, each with an operator key and recorded with a reason."),
        ("Commission feed", "The election commission's (KPU) JSON files at their paths and in their shapes, for old pollers (docs/api.md)."),
        ("Health", "Liveness, readiness and metrics for load balancers and monitoring."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Broadcast",
            Version = ApiDocumentSetup.DocumentName,
            Description = "Live election results: ingest of polling-station tally forms (Form C1), the read API, the TV graphics feed, " +
                "the tamper-evident chain and the operators' API. docs/api.md is the full reference; the push side is the SignalR hub " +
                "`/hubs/results` (JSON or MessagePack), which this document does not describe.",
        };
        document.Servers = [];
        var described = Tags.ToDictionary(t => t.Name, t => t.Description);
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => t.Name).Concat(document.Tags?.Select(t => t.Name!) ?? []).Distinct()
            .Select(name => new OpenApiTag { Name = name, Description = described.GetValueOrDefault(name) }));

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [OperationDocs.IngestBearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An ingest key's secret: `Authorization: Bearer <secret>`. A key that requires signatures refuses it.",
            },
            [OperationDocs.SignedKeyId] = Signed("Broadcast-Key-Id", "A signed request (docs/api.md, \"Signed requests\"): the ingest key's id."),
            [OperationDocs.SignedTimestamp] = Signed("Broadcast-Timestamp",
                "A signed request: the time of signing in whole Unix seconds, within `Ingest:SignatureWindow` (default 5 min) of the server's clock."),
            [OperationDocs.SignedSignature] = Signed("Broadcast-Signature",
                "A signed request: 64 hex digits, HMAC-SHA256 keyed with SHA-256(secret) over six lines joined by \\n: " +
                "`broadcast-ingest-v1`, the method, the request target, the timestamp, the `Idempotency-Key` (empty when none), " +
                "the lower-case hex SHA-256 of the body. Accepted once."),
            [OperationDocs.OperatorBearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An operator's own secret (`Operator:Keys`): `Authorization: Bearer <operator secret>`; every decision records the operator.",
            },
        };

        document.Paths ??= [];
        document.Paths["/health/ready"] = Health("GetReady",
            "Whether this node can serve",
            "One entry per check (totals, store, hangfire, chain; redis on scale-out nodes). Answers any method; `Cache-Control: no-store`.",
            new OpenApiResponses
            {
                ["200"] = ReadinessReport("Ready: every check is healthy."),
                ["503"] = ReadinessReport("Not ready: a check failed; its `description` says which and why."),
            });
        document.Paths["/metrics"] = Health("GetMetrics",
            "Prometheus scrape of this node's metrics",
            "OpenTelemetry metrics in the Prometheus text format (docs/deploying.md, \"Health and metrics\").",
            new OpenApiResponses
            {
                ["200"] = new OpenApiResponse
                {
                    Description = "The metrics.",
                    Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                },
            });

        foreach (var schema in document.Components.Schemas?.Values ?? []) CleanDescriptions(schema, 0);

        // Responses in status order, whichever declared them (the endpoint or OperationDocs).
        foreach (var operation in document.Paths.Values.SelectMany(path => path.Operations?.Values.AsEnumerable() ?? []))
            if (operation.Responses is { Count: > 1 } responses)
            {
                var sorted = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
                responses.Clear();
                foreach (var pair in sorted) responses[pair.Key] = pair.Value;
            }
        return Task.CompletedTask;
    }

    /// <summary>
    /// The generator copies the wire types' XML comments as they are written in source: entities
    /// escaped (<c>&amp;lt;</c>), a member reference as "type Declaring.Member", the source's line
    /// breaks. Readers of the document want the text, the JSON name, and one paragraph.
    /// </summary>
    private static void CleanDescriptions(IOpenApiSchema schema, int depth)
    {
        if (depth > 8) return;
        if (schema is OpenApiSchemaReference reference)
        {
            if (reference.Description is { } referenced) reference.Description = Clean(referenced);
            return;
        }
        if (schema is not OpenApiSchema own) return;
        if (own.Description is { } description) own.Description = Clean(description);
        foreach (var property in own.Properties?.Values ?? []) CleanDescriptions(property, depth + 1);
        foreach (var alternative in own.OneOf ?? []) CleanDescriptions(alternative, depth + 1);
        if (own.Items is { } items) CleanDescriptions(items, depth + 1);
        if (own.AdditionalProperties is { } values) CleanDescriptions(values, depth + 1);
    }

    private static readonly System.Text.RegularExpressions.Regex MemberReference =
        new(@"\b[A-Za-z]\w*(?:<[^>]*>)?(?:\[\])?\?? [A-Z]\w*\.([A-Z]\w*)\b", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex LineBreak = new(@"\s*\n\s*");

    private static string Clean(string text) => LineBreak.Replace(
        MemberReference.Replace(System.Net.WebUtility.HtmlDecode(text), match => $"`{JsonName(match.Groups[1].Value)}`"), " ");

    private static string JsonName(string member) => char.ToLowerInvariant(member[0]) + member[1..];

    private static OpenApiSecurityScheme Signed(string header, string description) =>
        new() { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = header, Description = description };

    private static OpenApiPathItem Health(string operationId, string summary, string description, OpenApiResponses responses) => new()
    {
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Get] = new()
            {
                Tags = new HashSet<OpenApiTagReference> { new("Health") },
                OperationId = operationId,
                Summary = summary,
                Description = description,
                Responses = responses,
            },
        },
    };

    private static OpenApiResponse ReadinessReport(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "status", "checks" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. new[] { "Healthy", "Degraded", "Unhealthy" }.Select(s => (System.Text.Json.Nodes.JsonNode)s)] },
                        ["checks"] = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            AdditionalProperties = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Object,
                                Properties = new Dictionary<string, IOpenApiSchema>
                                {
                                    ["status"] = new OpenApiSchema { Type = JsonSchemaType.String },
                                    ["description"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                                },
                            },
                        },
                    },
                },
            },
        },
    };
}

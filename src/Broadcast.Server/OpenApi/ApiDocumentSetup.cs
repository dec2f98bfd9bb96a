using System.Security.Cryptography;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace Broadcast.OpenApi;

/// <summary>
/// The OpenAPI document of every HTTP endpoint (ingest, read, graphics, chain, operators, the
/// commission's JSON, health), served at <see cref="Path"/>. It is built from the endpoints
/// themselves (their result types, the responses declared with <see cref="ResponseDocs"/>, their
/// policies, the XML comments of the wire types), so it says what the server does; the
/// integration tests compare it with the committed <c>docs/openapi.json</c> and check that every
/// endpoint is in it. docs/api.md stays the full reference. The hub (<c>/hubs/results</c>) is
/// SignalR, not described by OpenAPI; the Hangfire dashboard is a web page.
/// </summary>
public static class ApiDocumentSetup
{
    public const string DocumentName = "v1";
    public const string Path = "/openapi/v1.json";

    /// <summary>The document changes only with a release: caches keep it a few minutes, then revalidate by ETag.</summary>
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public static IHostApplicationBuilder AddApiDocument(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            // Any JSON (the commission's files, the graphics object's values): inline {}, not a component named after the .NET type.
            options.CreateSchemaReferenceId = type =>
                type.Type == typeof(System.Text.Json.JsonElement) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddDocumentTransformer<DocumentDocs>();
            options.AddOperationTransformer<OperationDocs>();
            options.AddSchemaTransformer<SchemaDocs>();
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapApiDocument(this IEndpointRouteBuilder app)
    {
        // Generated once per process (it depends only on the endpoints), then served from memory with an ETag.
        var cache = new Dictionary<string, GeneratedDocument>();
        app.MapOpenApi("/openapi/{documentName}.json").AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var name = context.Request.RouteValues["documentName"] as string ?? "";
            GeneratedDocument? document;
            lock (cache) cache.TryGetValue(name, out document);
            if (document is null)
            {
                var original = context.Response.Body;
                using var buffer = new MemoryStream();
                context.Response.Body = buffer;
                try { await next(invocation); }
                finally { context.Response.Body = original; }
                if (context.Response.StatusCode != StatusCodes.Status200OK)
                {
                    // No such document: pass the framework's answer on.
                    await original.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
                    return null;
                }
                document = new GeneratedDocument(buffer.ToArray(), context.Response.ContentType);
                lock (cache) cache[name] = document;
            }
            return Results.ResultsApi.Revalidate(context, document.ETag, new CacheControlHeaderValue { Public = true, MaxAge = MaxAge })
                ?? TypedResults.Bytes(document.Body, document.ContentType);
        }).RequireCors(Push.PushSetup.ViewerCors); // readable by tools in a browser (editors, API explorers), as the read API is

        return app;
    }

    private sealed record GeneratedDocument(byte[] Body, string? ContentType)
    {
        public EntityTagHeaderValue ETag { get; } = new($"\"{Convert.ToHexStringLower(SHA256.HashData(Body))[..16]}\"");
    }
}

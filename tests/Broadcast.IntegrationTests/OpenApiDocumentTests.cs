using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Broadcast.Ingest;
using Broadcast.IntegrationTests.Cluster;
using Broadcast.IntegrationTests.Support;
using Broadcast.Operators;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Broadcast.IntegrationTests;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>): the committed <c>docs/openapi.json</c> is what
/// the server serves, it reads without errors, every endpoint the server maps is in it with what
/// it answers, and what the server really sends fits the schemas it gives.
/// </summary>
public sealed class OpenApiDocumentTests(BroadcastFactory server) : IClassFixture<BroadcastFactory>
{
    private const string DocumentPath = "/openapi/v1.json";
    private static readonly string Committed = Path.Combine(LocalCluster.RepoRoot, "docs", "openapi.json");

    /// <summary>Set to 1 (scripts/update-openapi.sh does) to write the served document to docs/openapi.json instead of comparing.</summary>
    private const string UpdateVariable = "BROADCAST_UPDATE_OPENAPI";

    [Fact]
    public async Task ServedDocumentIsTheCommittedOne()
    {
        using var client = server.Anonymous();
        using var response = await client.GetAsync(DocumentPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl is { Public: true, MaxAge.TotalSeconds: > 0 }, $"Cache-Control: {response.Headers.CacheControl}");
        var served = await response.Content.ReadAsStringAsync();

        using var again = new HttpRequestMessage(HttpMethod.Get, DocumentPath);
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(Committed, served);
            return;
        }
        Assert.True(File.Exists(Committed), $"{Committed} is missing: run scripts/update-openapi.sh and commit it.");
        var committed = (await File.ReadAllTextAsync(Committed)).ReplaceLineEndings("\n");
        Assert.True(committed == served.ReplaceLineEndings("\n"),
            "docs/openapi.json is not the document the server serves (an endpoint, a response or a wire type changed). " +
            $"Regenerate it with scripts/update-openapi.sh (or {UpdateVariable}=1 dotnet test tests/Broadcast.IntegrationTests " +
            "--filter FullyQualifiedName~OpenApiDocumentTests.ServedDocumentIsTheCommittedOne), review the diff and commit it. " +
            $"First difference at line {FirstDifferentLine(committed, served)}.");
    }

    [Fact]
    public async Task DocumentReadsWithoutErrorsOrWarnings()
    {
        var (document, diagnostic) = await ReadAsync();
        Assert.Empty(diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.Empty(diagnostic.Warnings.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet())!.Select(e => $"{e.Pointer}: {e.Message}"));
        // Every reference resolves: a dangling $ref has no target.
        foreach (var (path, method, operation) in Operations(document))
            foreach (var (status, response) in operation.Responses!)
                foreach (var (type, media) in response.Content ?? new Dictionary<string, OpenApiMediaType>())
                    Assert.True(media.Schema is not OpenApiSchemaReference { Target: null }, $"{method} {path} {status} {type}: a $ref that resolves to nothing");
    }

    [Fact]
    public async Task EveryEndpointIsInTheDocumentWithWhatItAnswers()
    {
        var (document, _) = await ReadAsync();
        var documented = Operations(document).ToDictionary(o => $"{o.Method} {o.Path}", o => o.Operation);
        var found = new HashSet<string>();
        var endpoints = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !Undocumented(e.RoutePattern.RawText ?? "")).ToList();
        Assert.True(endpoints.Count >= 40, $"only {endpoints.Count} endpoints found");

        foreach (var endpoint in endpoints)
        {
            var path = OpenApiPath(endpoint.RoutePattern);
            // /health/ready and /metrics answer any method; they are documented as GET.
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                var key = $"{method} {path}";
                Assert.True(documented.TryGetValue(key, out var operation), $"{key} is mapped but not in the document");
                found.Add(key);
                var responses = operation!.Responses!;
                // At least one success; .../latest only ever redirects (307) to the version's URL.
                Assert.True(responses.Keys.Any(status => status.StartsWith('2') || status == "307"), $"{key}: no 2xx response documented");
                Assert.False(string.IsNullOrEmpty(operation.Summary), $"{key}: no summary");
                Assert.False(string.IsNullOrEmpty(operation.OperationId), $"{key}: no operationId");
                foreach (var declared in endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>())
                    Assert.True(responses.ContainsKey(declared.StatusCode.ToString()), $"{key}: declares {declared.StatusCode}, which the document lacks");

                var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToHashSet();
                var schemes = (operation.Security ?? []).Select(r => string.Join('+', r.Keys.Select(s => s.Reference.Id).Order())).ToHashSet();
                if (policies.Contains("operator"))
                    Assert.Equal(["operatorKey"], schemes);
                else if (policies.Contains("ingest"))
                    Assert.Equal(["ingestKey", "signedKeyId+signedSignature+signedTimestamp"], schemes.Order());
                else
                    Assert.Empty(schemes);
                if (policies.Count > 0) Assert.True(responses.ContainsKey("401"), $"{key}: behind a policy, but no 401");
                if (endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null)
                    Assert.True(responses.ContainsKey("429"), $"{key}: rate-limited, but no 429");
            }
        }
        // Nothing documented that the server does not map.
        Assert.Empty(documented.Keys.Except(found));
        Assert.Equal(documented.Count, documented.Values.Select(o => o.OperationId).Distinct().Count());
    }

    [Fact]
    public async Task WhatTheServerSendsFitsTheDocumentedSchemas()
    {
        var (document, _) = await ReadAsync();
        using var ingest = server.Ingest();
        using var anonymous = server.Anonymous();
        using var op = server.Operator();

        var station = TestStations.Next();
        var counted = await ingest.PostAsJsonAsync("/api/v1/forms", Forms.Body(station, 120, 80));
        await Fits(counted, document, "post", "/api/v1/forms", HttpStatusCode.Accepted);
        // A quarantined form's receipt carries its rules in words (an optional field).
        var quarantined = await ingest.PostAsJsonAsync("/api/v1/forms", Forms.Body(station, 120, 80, valid: 150));
        var receipt = await Fits(quarantined, document, "post", "/api/v1/forms", HttpStatusCode.Accepted);
        Assert.True(receipt.TryGetProperty("rules", out _), receipt.GetRawText());
        var batch = await ingest.PostAsJsonAsync("/api/v1/forms:batch", new[] { Forms.Body(TestStations.Next(), 1, 2) });
        await Fits(batch, document, "post", "/api/v1/forms:batch", HttpStatusCode.Accepted);
        await Fits(await ingest.PostAsJsonAsync("/api/v1/forms", new { station, contest = "ppwp" }),
            document, "post", "/api/v1/forms", HttpStatusCode.UnprocessableEntity, strict: false);

        (await op.PostAsync("/api/v1/operator/aggregate", null)).EnsureSuccessStatusCode();
        var village = BroadcastFactory.Election.Regions.Id[BroadcastFactory.Election.Stations.Village[BroadcastFactory.Election.FindStation(station)!.Value]];
        await Fits(await anonymous.GetAsync("/api/v1/results/ppwp"), document, "get", "/api/v1/results/{contest}", HttpStatusCode.OK);
        await Fits(await anonymous.GetAsync($"/api/v1/results/ppwp/{village}"), document, "get", "/api/v1/results/{contest}/{group}", HttpStatusCode.OK);
        await Fits(await anonymous.GetAsync("/api/v1/results/ppwp/0?asOf=seq:1"), document, "get", "/api/v1/results/{contest}/{group}", HttpStatusCode.OK);
        await Fits(await anonymous.GetAsync("/api/v1/results/ppwp/nowhere"), document, "get", "/api/v1/results/{contest}/{group}",
            HttpStatusCode.NotFound, strict: false);
        await Fits(await anonymous.GetAsync($"/api/v1/stations/{station}/forms/ppwp"), document, "get", "/api/v1/stations/{station}/forms/{contest}", HttpStatusCode.OK);
        await Fits(await anonymous.GetAsync("/api/v1/election"), document, "get", "/api/v1/election", HttpStatusCode.OK);
        await Fits(await anonymous.GetAsync("/api/v1/chain/revisions?limit=3"), document, "get", "/api/v1/chain/revisions", HttpStatusCode.OK);
        await Fits(await op.GetAsync("/api/v1/operator/queue"), document, "get", "/api/v1/operator/queue", HttpStatusCode.OK);
        await Fits(await op.GetAsync("/api/v1/operator/status"), document, "get", "/api/v1/operator/status", HttpStatusCode.OK);
        await Fits(await anonymous.GetAsync("/api/v1/operator/status"), document, "get", "/api/v1/operator/status",
            HttpStatusCode.Unauthorized, strict: false);

        // The check itself can fail: a receipt with a field the document does not have, or a number as text, does not fit.
        var schema = ResponseSchema(document, "post", "/api/v1/forms", HttpStatusCode.Accepted);
        Assert.NotEmpty(SchemaCheck.Mismatches(JsonDocument.Parse(receipt.GetRawText().Replace("\"station\"", "\"tps\"")).RootElement, schema));
        Assert.NotEmpty(SchemaCheck.Mismatches(JsonDocument.Parse("""{"station":"1.1","contest":"ppwp","revision":"1","seq":1,"status":"counted","problems":[]}""").RootElement, schema));
    }

    /// <summary>Asserts the answer's status and that its body fits the document's schema for it; returns the body.</summary>
    private static async Task<JsonElement> Fits(HttpResponseMessage response, OpenApiDocument document, string method, string path,
        HttpStatusCode status, bool strict = true)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{method} {path}: {(int)response.StatusCode} {body}");
            var operation = document.Paths[path].Operations![HttpMethod.Parse(method)];
            var content = operation.Responses![((int)status).ToString()].Content!;
            Assert.True(content.ContainsKey(response.Content.Headers.ContentType!.MediaType!),
                $"{method} {path} {(int)status}: sent as {response.Content.Headers.ContentType}, documented as {string.Join(", ", content.Keys)}");
            var json = JsonDocument.Parse(body).RootElement.Clone();
            Assert.Empty(SchemaCheck.Mismatches(json, ResponseSchema(document, method, path, status), strict));
            return json;
        }
    }

    private static IOpenApiSchema ResponseSchema(OpenApiDocument document, string method, string path, HttpStatusCode status) =>
        document.Paths[path].Operations![HttpMethod.Parse(method)].Responses![((int)status).ToString()].Content!.Values.First().Schema!;

    private async Task<(OpenApiDocument Document, OpenApiDiagnostic Diagnostic)> ReadAsync()
    {
        using var client = server.Anonymous();
        var text = await client.GetStringAsync(DocumentPath);
        var result = OpenApiDocument.Parse(text, "json");
        Assert.NotNull(result.Document);
        return (result.Document!, result.Diagnostic!);
    }

    private static IEnumerable<(string Path, string Method, OpenApiOperation Operation)> Operations(OpenApiDocument document) =>
        document.Paths.SelectMany(path => (path.Value.Operations ?? []).Select(o => (path.Key, o.Key.Method, o.Value)));

    /// <summary>The SignalR hub (its own protocol), the Hangfire dashboard (a web page), and the document itself.</summary>
    private static bool Undocumented(string route) =>
        route.StartsWith("/hubs/", StringComparison.Ordinal) || route.StartsWith("/hangfire", StringComparison.Ordinal) || route.StartsWith("/openapi/", StringComparison.Ordinal);

    /// <summary>A route as OpenAPI writes it: parameters by name, without constraints or the catch-all's stars.</summary>
    private static string OpenApiPath(RoutePattern pattern) => "/" + string.Join('/', pattern.PathSegments.Select(segment =>
        string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => throw new InvalidOperationException(part.GetType().Name),
        }))));

    private static int FirstDifferentLine(string a, string b)
    {
        var (left, right) = (a.Split('\n'), b.Split('\n'));
        for (var i = 0; i < Math.Min(left.Length, right.Length); i++)
            if (left[i] != right[i]) return i + 1;
        return Math.Min(left.Length, right.Length) + 1;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Broadcast.Client;

namespace Broadcast.IntegrationTests.Support;

/// <summary>Ingest keys made through the operator API, and clients that use them as counting apps would.</summary>
public static class IngestKeyClients
{
    /// <summary>Creates a key through the operator API; returns its secret (shown once).</summary>
    public static async Task<string> CreateKeyAsync(this HttpClient operatorClient, string id, bool requireSignature = false,
        string[]? contests = null, string[]? regions = null)
    {
        using var response = await operatorClient.PostAsJsonAsync("/api/v1/operator/keys",
            new { id, contests, regions, requireSignature, reason = $"test key {id}" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("secret").GetString()!;
    }

    public static async Task RevokeKeyAsync(this HttpClient operatorClient, string id, string reason = "test revocation")
    {
        using var response = await operatorClient.PostAsJsonAsync($"/api/v1/operator/keys/{id}/revoke", new { reason });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A client that signs every request as <paramref name="keyId"/> (the replay tool's signer).</summary>
    public static HttpClient Signed(Uri server, string keyId, string secret) =>
        new(new IngestSigningHandler(new IngestRequestSigner(keyId, secret), new SocketsHttpHandler())) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };

    public static HttpClient Bearer(Uri server, string secret) =>
        new() { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", secret) } };

    /// <summary>A JSON POST request for <paramref name="path"/> with exactly these body bytes.</summary>
    public static HttpRequestMessage JsonPost(string path, byte[] body, string? idempotencyKey = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    public static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The last segment of a problem+json answer's <c>type</c> (<c>signature-mismatch</c>), or the body when it has none.</summary>
    public static async Task<string> ProblemTypeAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.TryGetProperty("type", out var type) ? type.GetString()!.Split('/')[^1] : text;
        }
        catch (JsonException)
        {
            return text;
        }
    }
}

namespace Broadcast.Health;

/// <summary>
/// <c>dotnet Broadcast.Server.dll --health-probe</c>: the container health check, since the
/// runtime image has no curl. Asks this node's own liveness endpoint.
/// </summary>
public static class HealthProbe
{
    public static bool Requested(string[] args) => args is ["--health-probe"];

    public static async Task<int> RunAsync()
    {
        var port = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS")?.Split(';')[0] ?? "8080";
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{port}/health/live");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (HttpRequestException)
        {
            return 1;
        }
    }
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using Broadcast.Elections;
using Broadcast.Results;
using Broadcast.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Broadcast.IntegrationTests.Support;

/// <summary>
/// One Broadcast server on real Kestrel (loopback, a free port) with its own SQLite file, so
/// the real SignalR client talks to it over real WebSockets. The election is loaded once per
/// test run and shared, since it is immutable.
/// </summary>
public sealed class BroadcastFactory : WebApplicationFactory<Program>
{
    public const string IngestSecret = "test-ingest-secret";
    public const string OperatorSecret = "test-operator-secret";

    private static readonly Lazy<Election> SharedElection = new(() => Load("pilpres2019"));
    private static readonly Lazy<Election> SharedPemilu2024 = new(() => Load("pemilu2024"));

    private static Election Load(string name) => ElectionLoader.Load(Path.Combine(AppContext.BaseDirectory, "data", name));

    private readonly Lazy<Election> _election;

    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), $"broadcast-test-{Guid.NewGuid():N}.db");
    private readonly Dictionary<string, string?> _settings;
    private readonly ILoggerProvider? _logs;

    public BroadcastFactory() : this([]) { }

    /// <param name="pemilu2024">Serve the 2024 election (five contests) instead of the 2019 presidential one.</param>
    /// <param name="logs">An extra logger provider (tests that look at what the server logs).</param>
    internal BroadcastFactory(Dictionary<string, string?> settings, bool pemilu2024 = false, ILoggerProvider? logs = null)
    {
        _settings = settings;
        _logs = logs;
        _election = pemilu2024 ? SharedPemilu2024 : SharedElection;
        if (pemilu2024) _settings["Election:Name"] = "pemilu2024";
        UseKestrel(0);
    }

    /// <summary>The 2019 election most tests use.</summary>
    public static Election Election => SharedElection.Value;

    /// <summary>The 2024 election with its five contests.</summary>
    public static Election Pemilu2024 => SharedPemilu2024.Value;

    public string DatabasePath => _databasePath;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Storage:SqlitePath", _databasePath);
        builder.UseSetting("BROADCAST_INGEST_KEY", IngestSecret);
        builder.UseSetting("BROADCAST_OPERATOR_KEY", OperatorSecret);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.AddSingleton(_election.Value));
        if (_logs is not null) builder.ConfigureLogging(logging => logging.AddProvider(_logs));
    }

    public Uri ServerAddress
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
        }
    }

    /// <summary>An HTTP client with the ingest key.</summary>
    public HttpClient Ingest()
    {
        var client = new HttpClient { BaseAddress = ServerAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", IngestSecret);
        return client;
    }

    public HttpClient Anonymous() => new() { BaseAddress = ServerAddress };

    public HttpClient Operator()
    {
        var client = new HttpClient { BaseAddress = ServerAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorSecret);
        return client;
    }

    public HubConnection Hub(string protocol)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(ServerAddress, "/hubs/results"), options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
        });
        if (protocol == Protocols.MessagePack) builder.AddMessagePackProtocol();
        return builder.Build();
    }

    public FormStore Store => Services.GetRequiredService<FormStore>();

    /// <summary>
    /// The read API's totals once every form stored so far is folded in (an aggregation run to
    /// completion first): what a test compares against, whatever earlier tests left queued.
    /// </summary>
    public async Task<ResultsSnapshot> SettledResultsAsync(string region = "0")
    {
        using var op = Operator();
        (await op.PostAsync("/api/v1/operator/aggregate", null)).EnsureSuccessStatusCode();
        using var anonymous = Anonymous();
        return await anonymous.ResultsAsync(region);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_databasePath + suffix);
    }
}

public static class Protocols
{
    public const string Json = "json";
    public const string MessagePack = "messagepack";
}

/// <summary>Builds C1 form bodies as a counting app would send them.</summary>
public static class Forms
{
    public static object Body(string station, int a, int b, int? invalid = 0, int? valid = null, int? total = null, string contest = "ppwp")
    {
        var v = valid ?? a + b;
        return new { station, contest, votes = new Dictionary<string, int> { ["01"] = a, ["02"] = b }, valid = v, invalid, total = total ?? v + (invalid ?? 0) };
    }

    public static async Task<FormReceipt> PostAsync(this HttpClient client, object form, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/forms") { Content = JsonContent.Create(form) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<FormReceipt>())!;
    }
}

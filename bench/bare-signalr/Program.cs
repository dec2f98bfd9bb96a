using System.Collections.Concurrent;
using System.Diagnostics;
using MessagePack;
using Microsoft.AspNetCore.SignalR;

// A bare SignalR hub: what the framework alone costs to fan a frame out, on this machine, to
// compare with Broadcast's deliveries per core (docs/performance.md). Viewers subscribe to a group
// as they would on Broadcast (Subscribe or SubscribeWith, same path, same MessagePack protocol),
// and every 1/Rate s the hub sends each group that has subscribers one TotalsChanged frame of
// FrameBytes, serialized once per protocol by SignalR (Clients.Group). Its version is the
// sender's Stopwatch timestamp (CLOCK_MONOTONIC, shared by the processes of the machine), so the
// load generator (--bare) times every frame: send -> received. No ingest, no aggregation, no
// limits, no watchdogs: only the hub.
//
//   Bare__FrameBytes=2700 Bare__Rate=5 ASPNETCORE_URLS=http://127.0.0.1:5600 dotnet bin/Release/net10.0/BareHub.dll
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.Configure<BareOptions>(builder.Configuration.GetSection("Bare"));
builder.Services.AddSignalR().AddMessagePackProtocol();
builder.Services.AddSingleton<Groups>();
builder.Services.AddHostedService<Sender>();
var app = builder.Build();
app.UseWebSockets();
app.MapHub<ResultsHub>("/hubs/results");
// The generator reads the group ids from the results API: a nation of 34 provinces of 15 regencies each.
app.MapGet("/api/v1/results/{contest}", () => Results.Json(new { children = Enumerable.Range(1, 34).Select(p => new { id = $"{p}" }) }));
app.MapGet("/api/v1/results/{contest}/{region}", (string region) =>
    Results.Json(new { children = Enumerable.Range(1, 15).Select(r => new { id = $"{region}{r:00}" }) }));
app.MapGet("/health/ready", () => "ready");
app.Run();

public sealed class BareOptions
{
    /// <summary>The size of each frame as a MessagePack hub message, length prefix included (padded to it).</summary>
    public int FrameBytes { get; set; } = 2700;
    /// <summary>Frames per second per group.</summary>
    public double Rate { get; set; } = 5;
}

/// <summary>The groups that have subscribers, and the version each was last sent.</summary>
public sealed class Groups
{
    public ConcurrentDictionary<string, long> Sent { get; } = new(StringComparer.Ordinal);
}

[MessagePackObject]
public sealed record Snapshot([property: Key("contest")] string Contest, [property: Key("region")] string Region,
    [property: Key("epoch")] string Epoch, [property: Key("version")] long Version);

[MessagePackObject]
public sealed record SubscribeOptions([property: Key("view")] string? View = null, [property: Key("maxPerSecond")] double? MaxPerSecond = null);

[MessagePackObject]
public sealed record Frame([property: Key("contest")] string Contest, [property: Key("region")] string Region,
    [property: Key("epoch")] string Epoch, [property: Key("prevVersion")] long PrevVersion, [property: Key("version")] long Version,
    [property: Key("pad")] byte[] Pad);

public sealed class ResultsHub(Groups groups) : Hub
{
    public async Task<Snapshot> Subscribe(string contest, string region)
    {
        var name = contest + "/" + region;
        await Groups.AddToGroupAsync(Context.ConnectionId, name);
        groups.Sent.TryAdd(name, 0);
        // Version 0: the generator in --bare mode starts its chain at the first frame.
        return new Snapshot(contest, region, "bare", 0);
    }

    public Task<Snapshot> SubscribeWith(string contest, string region, SubscribeOptions options) => Subscribe(contest, region);
}

public sealed class Sender(IHubContext<ResultsHub> hub, Groups groups, Microsoft.Extensions.Options.IOptions<BareOptions> options,
    ILogger<Sender> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var pad = new byte[PadFor(o.FrameBytes)];
        Random.Shared.NextBytes(pad);
        logger.LogWarning("bare hub: frames of {Bytes} B (pad {Pad} B) at {Rate}/s per group", o.FrameBytes, pad.Length, o.Rate);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / o.Rate));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var (name, previous) in groups.Sent)
            {
                var version = Stopwatch.GetTimestamp();
                var slash = name.IndexOf('/');
                groups.Sent[name] = version;
                // Not awaited one by one: SignalR queues the writes per connection, as Broadcast's publisher does.
                _ = hub.Clients.Group(name).SendAsync("TotalsChanged",
                    new Frame(name[..slash], name[(slash + 1)..], "bare", previous, version, pad), stoppingToken);
            }
        }
    }

    /// <summary>The pad that makes the whole hub message FrameBytes long (MessagePack, with its length prefix), as SignalR writes it.</summary>
    private static int PadFor(int frameBytes)
    {
        var protocol = new Microsoft.AspNetCore.SignalR.Protocol.MessagePackHubProtocol();
        var pad = 0;
        for (var i = 0; i < 4; i++)
        {
            var now = Stopwatch.GetTimestamp();
            var message = new Microsoft.AspNetCore.SignalR.Protocol.InvocationMessage("TotalsChanged",
                [new Frame("ppwp", "0", "bare", now, now, new byte[pad])]);
            var length = protocol.GetMessageBytes(message).Length;
            pad = Math.Max(0, pad + frameBytes - length);
        }
        return pad;
    }
}

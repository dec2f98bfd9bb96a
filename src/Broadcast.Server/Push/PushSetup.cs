using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Broadcast.Push;

public sealed class ViewerOptions
{
    public const string Section = "Viewers";

    /// <summary>Origins allowed to open the hub from a browser; empty allows any (the data is public).</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Hub calls a viewer may make per second, sustained (bursts up to <see cref="CallBurst"/>).</summary>
    public double CallsPerSecond { get; set; } = 5;
    public int CallBurst { get; set; } = 40;

    /// <summary>
    /// Rejected calls (over the call rate, an unknown group, over the group limit) a connection
    /// may collect within <see cref="RejectionWindow"/>; the next one closes it. A real client
    /// makes a handful of calls per connection and never comes near.
    /// </summary>
    public int MaxRejectedCalls { get; set; } = 20;
    public TimeSpan RejectionWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A viewer from which nothing (no call, no ping) arrived for this long is dropped. SignalR
    /// clients ping every 15 s when they have nothing else to send, so this is two pings.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A write to a viewer's socket that has not completed after this long means the viewer
    /// stopped reading (or its network did): it is dropped.
    /// </summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The kernel's send buffer of each connection (Linux doubles it). Bounds what a viewer that
    /// stops reading holds of ours, and makes its socket fall behind soon, so that its frames are
    /// held back and conflated rather than piled up (the kernel would otherwise grow it to a few MB).
    /// </summary>
    public int SocketSendBufferBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// The most viewers this node holds; beyond it new ones get 503 (<see cref="ViewerAdmission"/>).
    /// 0: the process's open-file limit less 2,000.
    /// </summary>
    public int MaxConnections { get; set; }
}

public static class PushSetup
{
    public const string ViewerCors = "viewers";
    public const string HubPath = "/hubs/results";

    /// <summary>
    /// SignalR's own timeouts stay as a backstop behind ours, which fire first and log why a
    /// viewer went: its client timeout (which only starts once a client has pinged) and its
    /// transport send timeout.
    /// </summary>
    private static readonly TimeSpan Backstop = TimeSpan.FromSeconds(5);

    public static IHostApplicationBuilder AddResultsPush(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ViewerOptions>().BindConfiguration(ViewerOptions.Section)
            .Validate(o => o.CallsPerSecond > 0 && o.CallBurst >= 1, "Viewers:CallsPerSecond must be > 0 and Viewers:CallBurst >= 1")
            .Validate(o => o.AllowedOrigins.All(origin => Uri.IsWellFormedUriString(origin, UriKind.Absolute)),
                "Viewers:AllowedOrigins must be absolute origins such as https://news.example")
            .Validate(o => o.MaxRejectedCalls is >= 1 and <= 10_000, "Viewers:MaxRejectedCalls must be between 1 and 10000")
            .Validate(o => o.RejectionWindow >= TimeSpan.FromSeconds(1) && o.RejectionWindow <= TimeSpan.FromHours(1),
                "Viewers:RejectionWindow must be between 00:00:01 and 01:00:00")
            .Validate(o => o.IdleTimeout >= TimeSpan.FromSeconds(1) && o.IdleTimeout <= TimeSpan.FromHours(1),
                "Viewers:IdleTimeout must be between 00:00:01 and 01:00:00 (clients ping every 15 s: keep it at least twice that)")
            .Validate(o => o.SendTimeout >= TimeSpan.FromSeconds(1) && o.SendTimeout <= TimeSpan.FromMinutes(10),
                "Viewers:SendTimeout must be between 00:00:01 and 00:10:00")
            .Validate(o => o.SocketSendBufferBytes is >= 4 * 1024 and <= 16 * 1024 * 1024,
                "Viewers:SocketSendBufferBytes must be between 4096 and 16777216")
            .Validate(o => o.MaxConnections >= 0 && (o.MaxConnections == 0 || ViewerAdmission.OpenFileLimit() is not { } files || o.MaxConnections <= files - 500),
                $"Viewers:MaxConnections must be 0 (the open-file limit less {ViewerAdmission.Headroom}) or a number of viewers at least 500 below " +
                "the process's open-file limit (ulimit -n): every viewer is a socket")
            .ValidateOnStart();
        builder.Services.AddSignalR(options =>
            {
                // Viewers only send three small calls; anything bigger is not a viewer.
                options.MaximumReceiveMessageSize = 4 * 1024;
                options.MaximumParallelInvocationsPerClient = 1;
                options.AddFilter<ViewerCallLimit>();
            })
            .AddMessagePackProtocol(protocol => protocol.SerializerOptions = Results.FrameSerialization.Options(protocol.SerializerOptions));
        builder.Services.AddOptions<HubOptions>().Configure<IOptions<ViewerOptions>>((hub, viewers) =>
            hub.ClientTimeoutInterval = viewers.Value.IdleTimeout + Backstop);
        builder.Services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>().Configure<IOptions<ViewerOptions>>((kestrel, viewers) =>
        {
            kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Use(next => connection =>
            {
                if (connection.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket is { } socket)
                    socket.SendBufferSize = viewers.Value.SocketSendBufferBytes;
                return next(connection);
            }));
            // The backstop: Kestrel accepts no connection the process has no descriptor left for.
            if (ViewerAdmission.OpenFileLimit() is { } files) kestrel.Limits.MaxConcurrentConnections = files - 200;
        });
        // SignalR's dispatcher logs every exception a hub method or filter throws at Error, with
        // its stack trace: a viewer calling in a loop wrote a kilobyte of log per call.
        // ViewerCallLimit logs hub call failures itself (unexpected ones at Error, rejections at
        // Debug), so the dispatcher's category is off by default. Inserted first, so that a
        // Logging:LogLevel entry for the same category still overrides it.
        builder.Services.Configure<LoggerFilterOptions>(logging =>
            logging.Rules.Insert(0, new LoggerFilterRule(null, ViewerCallLimit.DispatcherCategory, LogLevel.None, null)));
        // Tickers are embedded on news sites: their pages read the snapshot and open the hub
        // cross-origin. Public, read-only, no credentials; Viewers:AllowedOrigins narrows it.
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<ViewerOptions>>((cors, viewers) =>
            cors.AddPolicy(ViewerCors, policy =>
        {
            var origins = viewers.Value.AllowedOrigins;
            if (origins.Length == 0) policy.AllowAnyOrigin(); else policy.WithOrigins(origins);
            // A long preflight cache: If-None-Match makes polls "non-simple", and a preflight per poll would double them.
            policy.WithMethods("GET", "POST").AllowAnyHeader().WithExposedHeaders("ETag").SetPreflightMaxAge(TimeSpan.FromHours(1));
        }));
        builder.Services.AddSingleton<ViewerDrops>();
        builder.Services.AddSingleton<ViewerAdmission>();
        builder.Services.AddSingleton<ViewerWatch>();
        builder.Services.AddSingleton<DeltaHistory>();
        builder.Services.AddSingleton<LocalConnections>();
        // SignalR's own manager (in-process, or the Redis backplane once the cluster registers it)
        // wrapped to keep this node's connections, which the fan-out writes to directly.
        builder.Services.AddSingleton<HubLifetimeManager<ResultsHub>>(sp => new ViewerLifetimeManager(
            sp.GetService<StackExchange.Redis.IConnectionMultiplexer>() is null
                ? ActivatorUtilities.CreateInstance<DefaultHubLifetimeManager<ResultsHub>>(sp)
                : ActivatorUtilities.CreateInstance<Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisHubLifetimeManager<ResultsHub>>(sp),
            sp.GetRequiredService<LocalConnections>()));
        builder.Services.AddSingleton<Fanout>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Fanout>());
        builder.Services.AddSingleton<ResultsPublisher>();
        return builder;
    }

    public static WebApplication MapResultsHub(this WebApplication app)
    {
        var viewers = app.Services.GetRequiredService<IOptions<ViewerOptions>>().Value;
        var allowed = viewers.AllowedOrigins;
        if (allowed.Length > 0)
        {
            var origins = allowed.Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);
            app.UseWhen(context => context.Request.Path.StartsWithSegments("/hubs"), hubs => hubs.Use(async (context, next) =>
            {
                var origin = context.Request.Headers.Origin.ToString();
                if (origin.Length > 0 && !origins.Contains(origin))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return;
                }
                await next(context);
            }));
        }
        var admission = app.Services.GetRequiredService<ViewerAdmission>();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(HubPath), hub => hub.Use(admission.AdmitAsync));
        var watch = app.Services.GetRequiredService<ViewerWatch>();
        // WebSocket viewers' sockets are watched for writes that do not complete (a viewer that stopped reading).
        app.UseWhen(context => context.Request.Path.StartsWithSegments(HubPath), hub => hub.Use(watch.WatchSocket));
        app.UseCors();
        var dispatcher = new HttpConnectionDispatcherOptions
        {
            ApplicationMaxBufferSize = 4 * 1024,
            // A viewer that stops reading holds at most this much of our memory (besides its socket's
            // send buffer) before writes wait on it; the fan-out then holds its frames back.
            TransportMaxBufferSize = 64 * 1024,
            TransportSendTimeout = viewers.SendTimeout + Backstop,
        };
        // MapHub<ResultsHub> with the viewer watch in front of the hub on every connection.
        app.MapConnections(HubPath, dispatcher, connection =>
            {
                connection.Use(next => context => watch.WatchConnection(context, next));
                connection.UseHub<ResultsHub>();
            })
            .WithMetadata(new HubMetadata(typeof(ResultsHub)))
            .RequireCors(ViewerCors);
        return app;
    }
}

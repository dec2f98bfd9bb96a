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
}

public static class PushSetup
{
    public const string ViewerCors = "viewers";

    public static IHostApplicationBuilder AddResultsPush(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ViewerOptions>().BindConfiguration(ViewerOptions.Section)
            .Validate(o => o.CallsPerSecond > 0 && o.CallBurst >= 1, "Viewers:CallsPerSecond must be > 0 and Viewers:CallBurst >= 1")
            .Validate(o => o.AllowedOrigins.All(origin => Uri.IsWellFormedUriString(origin, UriKind.Absolute)),
                "Viewers:AllowedOrigins must be absolute origins such as https://news.example")
            .ValidateOnStart();
        builder.Services.AddSignalR(options =>
            {
                // Viewers only send three small calls; anything bigger is not a viewer.
                options.MaximumReceiveMessageSize = 4 * 1024;
                options.MaximumParallelInvocationsPerClient = 1;
                options.AddFilter<ViewerCallLimit>();
            })
            .AddMessagePackProtocol();
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
        builder.Services.AddSingleton<DeltaHistory>();
        builder.Services.AddSingleton<WatchedGroups>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WatchedGroups>());
        builder.Services.AddSingleton<ResultsPublisher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ResultsPublisher>());
        return builder;
    }

    public static WebApplication MapResultsHub(this WebApplication app)
    {
        var allowed = app.Services.GetRequiredService<IOptions<ViewerOptions>>().Value.AllowedOrigins;
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
        app.UseCors();
        app.MapHub<ResultsHub>("/hubs/results", options =>
        {
            options.ApplicationMaxBufferSize = 4 * 1024;
            // A viewer that stops reading holds at most this much of our memory before writes wait on it.
            options.TransportMaxBufferSize = 256 * 1024;
        }).RequireCors(ViewerCors);
        return app;
    }
}

/// <summary>A token bucket per connection: a viewer calling in a loop gets errors, not our CPU.</summary>
internal sealed class ViewerCallLimit(IOptions<ViewerOptions> options, TimeProvider clock) : IHubFilter
{
    private sealed class Bucket
    {
        public double Tokens;
        public long Stamp;
    }

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var items = context.Context.Items;
        var limits = options.Value;
        if (items[nameof(ViewerCallLimit)] is not Bucket bucket)
            items[nameof(ViewerCallLimit)] = bucket = new Bucket { Tokens = limits.CallBurst, Stamp = clock.GetTimestamp() };
        var now = clock.GetTimestamp();
        bucket.Tokens = Math.Min(limits.CallBurst, bucket.Tokens + clock.GetElapsedTime(bucket.Stamp, now).TotalSeconds * limits.CallsPerSecond);
        bucket.Stamp = now;
        if (bucket.Tokens < 1) throw new HubException("Too many calls; slow down.");
        bucket.Tokens--;
        return next(context);
    }
}

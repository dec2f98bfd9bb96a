using Broadcast.Ingest;
using Broadcast.Results;
using Hangfire;
using Hangfire.Dashboard;

namespace Broadcast.Aggregation;

public static class AggregationSetup
{
    public static IHostApplicationBuilder AddAggregation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            // Every aggregation run is a job; finished ones are kept 10 minutes, not the default
            // hours, so a busy election night does not fill memory with job history.
            .UseInMemoryStorage(new Hangfire.InMemory.InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromMinutes(10) }));
        builder.Services.AddHangfireServer(options =>
        {
            options.Queues = [AggregationTrigger.Queue, "default"];
            // One run at a time is all that is useful: a second worker would only wait on the run lock.
            options.WorkerCount = 1;
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<AggregationOptions>().BindConfiguration(AggregationOptions.Section)
            .Validate(o => o.MinRunInterval >= TimeSpan.Zero && o.MinRunInterval <= TimeSpan.FromSeconds(10),
                "Aggregation:MinRunInterval must be between 00:00:00 and 00:00:10")
            .ValidateOnStart();
        builder.Services.AddSingleton<TallyHolder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TallyHolder>());
        builder.Services.AddSingleton<Aggregator>();
        builder.Services.AddSingleton<AggregationTrigger>();
        builder.Services.AddTransient<AggregationJob>();
        builder.Services.AddHostedService<AggregationWatchdog>();
        builder.Services.AddSingleton<ResultsView>();
        return builder;
    }

    /// <summary>Operator endpoints: rebuild, reconcile, the job dashboard. All need the operator key.</summary>
    public static IEndpointRouteBuilder MapOperatorApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/operator").WithTags("Operator")
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.RequestServices.GetRequiredService<OperatorKey>().Allows(context.HttpContext.Request.Headers.Authorization)
                    ? await next(context)
                    : Problems.OperatorOnly());
        api.MapPost("/rebuild", async (Aggregator aggregator, CancellationToken ct) => TypedResults.Ok(await aggregator.RebuildAsync(ct)));
        api.MapPost("/reconcile", async (Aggregator aggregator, CancellationToken ct) => TypedResults.Ok(await aggregator.ReconcileAsync(ct)));
        api.MapPost("/aggregate", async (Aggregator aggregator, CancellationToken ct) => TypedResults.Ok(await aggregator.RunAsync(ct)));
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new OperatorDashboardAuthorization()],
            IsReadOnlyFunc = context => !context.GetHttpContext().RequestServices.GetRequiredService<OperatorKey>()
                .Allows(context.GetHttpContext().Request.Headers.Authorization),
        });
        return app;
    }

    /// <summary>
    /// The dashboard opens, read-only, for requests from this machine (an operator's SSH tunnel);
    /// anything else needs the operator key. Behind a reverse proxy on the same host, do not
    /// route /hangfire (see infra/).
    /// </summary>
    private sealed class OperatorDashboardAuthorization : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var http = context.GetHttpContext();
            var remote = http.Connection.RemoteIpAddress;
            return (remote is not null && System.Net.IPAddress.IsLoopback(remote))
                || http.RequestServices.GetRequiredService<OperatorKey>().Allows(http.Request.Headers.Authorization);
        }
    }
}

using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Broadcast.Ingest;

public static class IngestSetup
{
    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IngestOptions>, ValidateIngestOptions>();
        builder.Services.AddOptions<RulesOptions>().BindConfiguration(RulesOptions.Section)
            .Validate(o => o.VoterAllowancePercent is >= 0 and <= 100 && o.VoterAllowance >= 0 && o.MaxVotersPerStation > 0,
                "Rules: VoterAllowancePercent must be 0..100, VoterAllowance >= 0, MaxVotersPerStation > 0")
            .Validate(o => o.OverseasMaxBallots is { PollingStation: > 0, Postal: > 0, MobileBox: > 0 },
                "Rules:OverseasMaxBallots:PollingStation, :Postal and :MobileBox must each be above 0")
            .ValidateOnStart();
        builder.Services.AddSingleton<IngestKeys>();
        builder.Services.AddSingleton<IngestKeyRefresher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestKeyRefresher>());
        builder.Services.AddSingleton<FormWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FormWriter>());
        builder.Services.AddAuthentication(IngestAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, IngestAuthentication>(IngestAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy(IngestAuthentication.Policy, policy => policy
            .AddAuthenticationSchemes(IngestAuthentication.SchemeName).RequireAuthenticatedUser());
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                await context.HttpContext.Response.WriteAsJsonAsync(Problems.TooManyRequests(1), (System.Text.Json.JsonSerializerOptions?)null,
                    "application/problem+json", cancellationToken);
            };
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<IngestOptions>>().Value;
                // Authentication ran first: a key is counted by its id, however its header was spelled.
                if (IngestAuthentication.KeyId(context) is { } keyId)
                    return RateLimitPartition.GetTokenBucketLimiter("key:" + keyId, _ => Bucket(options.RequestsPerSecondPerKey));
                // No known key: every attempt counts against the client's address, so guessing
                // secrets (or a misconfigured app retrying in a loop) is slowed down, not answered
                // with a fresh bucket per wrong secret.
                var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetTokenBucketLimiter("address:" + address, _ => Bucket(options.UnauthenticatedRequestsPerSecondPerAddress));
            });
        });
        return builder;
    }

    public const string RateLimitPolicy = "ingest";

    /// <summary>Sustained <paramref name="perSecond"/>, bursts up to twice that, no queueing (429 at once).</summary>
    private static TokenBucketRateLimiterOptions Bucket(int perSecond) => new()
    {
        TokenLimit = perSecond * 2,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
    };
}

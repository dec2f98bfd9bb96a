using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
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
            .ValidateOnStart();
        builder.Services.AddSingleton<IngestKeys>();
        builder.Services.AddSingleton<OperatorKey>();
        builder.Services.AddSingleton<FormWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<FormWriter>());
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return ValueTask.CompletedTask;
            };
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                var perSecond = context.RequestServices.GetRequiredService<IOptions<IngestOptions>>().Value.RequestsPerSecondPerKey;
                // Partitioned by the presented credential's hash (the secret itself is never kept as a key).
                var credential = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString())));
                return RateLimitPartition.GetTokenBucketLimiter(credential, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perSecond * 2,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                });
            });
        });
        return builder;
    }

    public const string RateLimitPolicy = "ingest";
}

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
        return builder;
    }
}

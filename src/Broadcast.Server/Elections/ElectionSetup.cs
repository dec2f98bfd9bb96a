using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Broadcast.Elections;

public sealed class ElectionOptions
{
    public const string Section = "Election";

    /// <summary>The folder name under <see cref="DataDirectory"/>: <c>pilpres2019</c> or <c>pemilu2024</c>.</summary>
    public string Name { get; set; } = "pilpres2019";

    /// <summary>Where election folders live; defaults to the <c>data</c> folder next to the server binary.</summary>
    public string DataDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "data");

    public string Folder => Path.Combine(DataDirectory, Name);
}

internal sealed class ValidateElectionOptions : IValidateOptions<ElectionOptions>
{
    public ValidateOptionsResult Validate(string? name, ElectionOptions options) =>
        File.Exists(Path.Combine(options.Folder, "election.json"))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"Election:Name '{options.Name}' has no election.json in {options.Folder}. " +
                "Set Election:Name to a folder of data/ (pilpres2019, pemilu2024) or Election:DataDirectory to where they are.");
}

public static partial class ElectionSetup
{
    public static IHostApplicationBuilder AddElection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ElectionOptions>().BindConfiguration(ElectionOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ElectionOptions>, ValidateElectionOptions>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ElectionOptions>>().Value;
            var watch = Stopwatch.StartNew();
            var election = ElectionLoader.Load(options.Folder);
            LogLoaded(sp.GetRequiredService<ILogger<Election>>(), election.Id, election.Regions.Count,
                election.Stations.Count, watch.ElapsedMilliseconds);
            return election;
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapElectionApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/election", (Election election) => TypedResults.Ok(new
        {
            election.Id,
            election.Name,
            Contests = election.Contests.Select(c => new { c.Id, c.Name, c.Choices }),
        })).WithTags("Results").RequireCors(Push.PushSetup.ViewerCors);
        return app;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Loaded election {Election}: {Regions} regions, {Stations} polling stations in {ElapsedMs} ms")]
    private static partial void LogLoaded(ILogger logger, string election, int regions, int stations, long elapsedMs);
}

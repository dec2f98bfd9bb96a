using System.Diagnostics;
using Broadcast.OpenApi;
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

    /// <summary>
    /// A notice every screen shows beside the results, e.g. that they are synthetic rehearsal
    /// data. Demo mode of an election with legislative contests sets it (its forms are generated).
    /// </summary>
    public string? Notice { get; set; }
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
        var api = app.MapGroup("/api/v1/election").WithTags("Results").RequireCors(Push.PushSetup.ViewerCors);
        api.MapGet("", (Election election, IOptions<ElectionOptions> options, IOptions<global::Broadcast.Rehearsal.RehearsalOptions> rehearsal) =>
            TypedResults.Ok(new ElectionView(election.Id, election.Name, options.Value.Notice, rehearsal.Value.Enabled,
            election.Contests.Select(c => new ContestView(c.Id, c.Name, KindName(c.Kind),
                c.Kind == BallotKind.Flat ? c.Ballots[0].Choices : c.Parties, c.ThresholdPercent, c.Parliaments.Count,
                c.FindParliament(RegionTree.National)?.GroupId)).ToList(),
            election.Parties.Select(p => new PartyView(p.Id, p.Number, p.ShortName, p.Name, p.AcehOnly, p.Colour)).ToList())))
            .WithSummary("The loaded election: its contests, their choices, the parties").WithName("GetElection");
        api.MapGet("/{contest}/parliaments", Parliaments)
            .WithSummary("A contest's parliaments and their dapils, optionally those governing within a region").WithName("GetParliaments")
            .Answers<List<ParliamentView>>(StatusCodes.Status200OK, "The parliaments.")
            .AnswersProblem(StatusCodes.Status404NotFound, "No such contest, or no such region (`within`).");
        return app;
    }

    /// <summary>A contest's parliaments and their dapils, optionally only those governing within one region (the DPRDs of a province).</summary>
    private static IResult Parliaments(string contest, string? within, Election election)
    {
        if (election.FindContest(contest) is not { } c) return Ingest.Problems.NotFound($"No contest '{Ingest.FormErrors.Clip(contest)}'.");
        int? region = within is null ? null : election.FindRegion(within);
        if (within is not null && region is null) return Ingest.Problems.NotFound($"No region '{Ingest.FormErrors.Clip(within)}'.");
        return TypedResults.Ok(c.Parliaments
            .Where(p => region is not { } r || election.IsWithin(p.Region, r))
            .Select(p => new ParliamentView(p.GroupId, p.Name, election.Regions.Id[p.Region], p.Seats,
                p.Dapils.Select(d => new DapilView(d.GroupId, d.Code, d.Name, d.Seats, d.StationCount,
                    d.Ballot.Parties.Count == 0 ? d.Ballot.Choices : null)).ToList()))
            .ToList());
    }

    private static string KindName(BallotKind kind) => kind switch
    {
        BallotKind.PartyList => "partyList",
        BallotKind.CandidateList => "candidateList",
        _ => "flat",
    };

    /// <summary>
    /// <c>GET /api/v1/election</c>: the contests (with their columns: pairs or parties) and the parties with their colours.
    /// <see cref="Notice"/>, when set, must be shown on every screen (synthetic rehearsal data).
    /// </summary>
    public sealed record ElectionView(string Id, string Name, string? Notice, bool Rehearsal, IReadOnlyList<ContestView> Contests, IReadOnlyList<PartyView> Parties);

    /// <param name="Parliament">The parliament elected nationally (DPR, DPD), e.g. <c>parliament:0</c>; null for the others.</param>
    public sealed record ContestView(string Id, string Name, string Kind, IReadOnlyList<Choice> Choices, int ThresholdPercent, int Parliaments,
        string? Parliament);

    public sealed record PartyView(string Id, int Number, string ShortName, string Name, bool AcehOnly, string Colour);

    public sealed record ParliamentView(string Id, string Name, string Region, int Seats, IReadOnlyList<DapilView> Dapils);

    /// <param name="Candidates">A candidate list's (DPD) candidates with their names, which region groups key by number only; null for party lists.</param>
    public sealed record DapilView(string Id, string Code, string Name, int Seats, int Stations,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Choice>? Candidates);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Loaded election {Election}: {Regions} regions, {Stations} polling stations in {ElapsedMs} ms")]
    private static partial void LogLoaded(ILogger logger, string election, int regions, int stations, long elapsedMs);
}

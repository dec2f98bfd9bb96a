using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Ingest;
using Broadcast.Push;
using Broadcast.Results;
using Broadcast.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddElection();
builder.AddStorage();
builder.AddIngest();
builder.AddAggregation();
builder.AddResultsPush();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDefaultFiles();
app.UseStaticFiles();

app.MapElectionApi();
app.MapIngestApi();
app.MapResultsApi();
app.MapResultsHub();
app.MapOperatorApi();
app.MapGet("/health/live", () => TypedResults.Ok("live")).WithTags("Health");

app.Run();

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;

using Broadcast.Aggregation;
using Broadcast.Elections;
using Broadcast.Health;
using Broadcast.Ingest;
using Broadcast.Push;
using Broadcast.Results;
using Broadcast.Storage;

if (HealthProbe.Requested(args)) return await HealthProbe.RunAsync();

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
app.MapHealth();

app.Run();
return 0;

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;

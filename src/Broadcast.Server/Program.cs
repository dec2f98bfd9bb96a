using Broadcast.Audit;
using Broadcast.Aggregation;
using Broadcast.Cluster;
using Broadcast.Compat;
using Broadcast.Demo;
using Broadcast.Elections;
using Broadcast.Graphics;
using Broadcast.Health;
using Broadcast.History;
using Broadcast.Ingest;
using Broadcast.OpenApi;
using Broadcast.Operators;
using Broadcast.Publication;
using Broadcast.Push;
using Broadcast.Rehearsal;
using Broadcast.Results;
using Broadcast.Storage;
using Broadcast.Web;

if (HealthProbe.Requested(args)) return await HealthProbe.RunAsync();

var builder = WebApplication.CreateBuilder(RehearsalSetup.TakeFlag(DemoSetup.TakeDemoFlag(args, out var demo), out var rehearsal));

builder.AddRehearsal(rehearsal || demo);
builder.AddElection();
builder.AddStorage();
builder.AddIngest();
builder.AddOperators();
builder.AddAggregation();
builder.AddResultsPush();
builder.AddPublicationHolds();
builder.AddHistory();
builder.AddCluster();
builder.AddHealth();
builder.AddDemo(demo);
builder.AddWebDelivery();
builder.AddApiDocument();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebDelivery();
// Authentication before the rate limiter (which counts per ingest key), authorization after it
// (so failed attempts are counted too, per client address).
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();

app.MapElectionApi();
app.MapIngestApi();
app.MapResultsApi();
app.MapHistoryApi();
app.MapResultsHub();
app.MapGraphicsFeed();
app.MapCommissionFeed();
app.MapOperatorApi();
app.MapChainApi();
app.MapHoldApi();
app.MapHealth();
app.MapApiDocument();

app.Run();
return 0;

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;

using K2.Api.Admin;
using K2.Api.Cluster;
using K2.Api.Hosting;
using K2.Api.Metrics;
using K2.Api.Status;
using K2.Core.Instruments;
using K2.Storage.Hosting;
using K2.Storage.Iceberg;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Memory;

// The standalone API: the same endpoints as the silo serves, for scaling reads apart from ingest. It reads the silo's
// configuration (K2__Storage__* for the hot store's transport, K2__Warehouse__* and K2__State__* for the cold tier and
// its catalog), so in a cluster it runs as its own replicas against ClickHouse, the warehouse and the catalog. With
// K2__Cluster__Membership=Postgres it is also an Orleans client of the silos (same K2__Cluster__* and K2__Exchanges__*
// as theirs) and serves /v1/status and the admin actions through their grains. In embedded mode the hot store belongs
// to one process, so run the API inside `k2 run` instead (it does by default).
var builder = WebApplication.CreateBuilder(args);
// Lowest layer, as in the silo: every store under ./data unless configured otherwise.
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DataDirectoryLayout.Settings(Path.GetFullPath(DataDirectoryLayout.DefaultDirectory)) });
var instrumentsPath = builder.Configuration["K2:Instruments:Path"] ?? Path.Combine(AppContext.BaseDirectory, "config", "instruments.yaml");
var clusterClient = ClusterClientHosting.IsClusterClient(builder.Configuration);
builder.Services.AddSingleton(InstrumentRegistryLoader.LoadFile(instrumentsPath));
builder.Services.AddConfiguredHotStore(builder.Configuration);
builder.Services.AddColdTier();
builder.Services.AddK2Api();
builder.Services.AddK2MetricsExport("k2-api");
builder.Services.AddHealthChecks().AddCheck<HotStoreHealthCheck>("hot_store", tags: [HotStoreHealthCheck.ReadyTag]);
if (clusterClient)
{
    builder.AddK2ClusterClient(HotStoreHealthCheck.ReadyTag);
    builder.Services.AddK2Status(siloCounters: false);
}

var app = builder.Build();
// As the silo does: every setting is checked before anything opens, and a bad one is named instead of a stack trace.
var problems = ConfigurationProblems.Find(app.Services);
foreach (var problem in problems)
{
    Console.Error.WriteLine($"k2-api: invalid configuration: {problem}");
}

if (problems.Count > 0)
{
    return 2;
}

app.UseK2ApiErrors();
app.MapK2Api();
app.MapK2Metrics();
if (clusterClient)
{
    app.MapStatus();
    app.MapAdmin();
}

app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HotStoreHealthCheck.ReadyTag) });
try
{
    await app.StartAsync();
}
catch (Exception e) when (clusterClient && ClusterClientHosting.ConnectFailure(app.Services, e) is { } failure)
{
    // The client retried for about half a minute (ClusterConnectRetry): one line says what could not be reached.
    Console.Error.WriteLine($"k2-api: {failure}");
    await app.DisposeAsync();
    return 1;
}

await app.WaitForShutdownAsync();
return 0;

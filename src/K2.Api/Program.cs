using K2.Api.Hosting;
using K2.Core.Instruments;
using K2.Storage.Hosting;
using K2.Storage.Iceberg;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Memory;

// The standalone API: the same endpoints as the silo serves, for scaling reads apart from ingest. It reads the silo's
// configuration (K2__Storage__* for the hot store's transport, K2__Warehouse__* and K2__State__* for the cold tier and
// its catalog), so in a cluster it runs as its own replicas against ClickHouse, the warehouse and the catalog. In
// embedded mode the hot store belongs to one process, so run the API inside `k2 run` instead (it does by default).
var builder = WebApplication.CreateBuilder(args);
// Lowest layer, as in the silo: every store under ./data unless configured otherwise.
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DataDirectoryLayout.Settings(Path.GetFullPath(DataDirectoryLayout.DefaultDirectory)) });
var instrumentsPath = builder.Configuration["K2:Instruments:Path"] ?? Path.Combine(AppContext.BaseDirectory, "config", "instruments.yaml");
builder.Services.AddSingleton(InstrumentRegistryLoader.LoadFile(instrumentsPath));
builder.Services.AddConfiguredHotStore(builder.Configuration);
builder.Services.AddColdTier();
builder.Services.AddK2Api();
builder.Services.AddHealthChecks().AddCheck<HotStoreHealthCheck>("hot_store", tags: [HotStoreHealthCheck.ReadyTag]);

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
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HotStoreHealthCheck.ReadyTag) });
app.Run();
return 0;

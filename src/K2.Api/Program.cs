using K2.Api.Hosting;
using K2.Core.Instruments;
using K2.Storage.Hosting;

// The standalone API: the same endpoints as the silo serves, for scaling reads apart from ingest. In embedded mode
// the hot store belongs to one process, so run the API inside `k2 run` instead (it does by default).
var builder = WebApplication.CreateBuilder(args);
var instrumentsPath = builder.Configuration["K2:Instruments:Path"] ?? Path.Combine(AppContext.BaseDirectory, "config", "instruments.yaml");
builder.Services.AddSingleton(InstrumentRegistryLoader.LoadFile(instrumentsPath));
builder.Services.AddEmbeddedHotStore();
builder.Services.AddK2Api();
builder.Services.AddHealthChecks();

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
app.MapHealthChecks("/health/live");
app.Run();
return 0;

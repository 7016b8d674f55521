using K2.Api.Cluster;
using K2.Api.Hosting;
using K2.Storage.Hosting;

// The standalone API (StandaloneApiHost says what it serves and reads). In embedded mode the hot store belongs to one
// process, so run the API inside `k2 run` instead (it does by default).
var app = StandaloneApiHost.Build(args);
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

StandaloneApiHost.MapEndpoints(app);
try
{
    await app.StartAsync();
}
catch (Exception e) when (ClusterClientHosting.IsClusterClient(app.Configuration) && ClusterClientHosting.ConnectFailure(app.Services, e) is { } failure)
{
    // The client retried for about half a minute (ClusterConnectRetry): one line says what could not be reached.
    Console.Error.WriteLine($"k2-api: {failure}");
    await app.DisposeAsync();
    return 1;
}

await app.WaitForShutdownAsync();
return 0;

using K2.Api.Admin;
using K2.Api.Cluster;
using K2.Api.Metrics;
using K2.Api.Status;
using K2.Core.Instruments;
using K2.Storage.Hosting;
using K2.Storage.Iceberg;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Memory;

namespace K2.Api.Hosting;

/// <summary>
/// Composes the standalone API (k2-api): the same endpoints as the silo serves, for scaling reads apart from ingest. It
/// reads the silo's configuration (K2__Storage__* for the hot store's transport, K2__Warehouse__* and K2__State__* for
/// the cold tier and its catalog), so in a cluster it runs as its own replicas against ClickHouse, the warehouse and the
/// catalog. With K2__Cluster__Membership=Postgres it is also an Orleans client of the silos (same K2__Cluster__* and
/// K2__Exchanges__* as theirs) and serves /v1/status and the admin actions through their grains.
/// </summary>
public static class StandaloneApiHost
{
    /// <summary>
    /// The API's host with its services, not yet mapped (<see cref="MapEndpoints"/>) so its configuration can be checked
    /// first; <paramref name="overrides"/> are settings over every other layer (deployment tests set the environment a
    /// container would get there).
    /// </summary>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Lowest layer, as in the silo: every store under ./data unless configured otherwise.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DataDirectoryLayout.Settings(Path.GetFullPath(DataDirectoryLayout.DefaultDirectory)) });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        var instrumentsPath = builder.Configuration["K2:Instruments:Path"] ?? Path.Combine(AppContext.BaseDirectory, "config", "instruments.yaml");
        builder.Services.AddSingleton(InstrumentRegistryLoader.LoadFile(instrumentsPath));
        builder.Services.AddConfiguredHotStore(builder.Configuration);
        builder.Services.AddColdTier();
        builder.Services.AddK2Api();
        builder.Services.AddK2MetricsExport("k2-api");
        builder.Services.AddHealthChecks().AddCheck<HotStoreHealthCheck>("hot_store", tags: [HotStoreHealthCheck.ReadyTag]);
        if (ClusterClientHosting.IsClusterClient(builder.Configuration))
        {
            builder.AddK2ClusterClient(HotStoreHealthCheck.ReadyTag);
            builder.Services.AddK2Status(siloCounters: false);
        }

        return builder.Build();
    }

    /// <summary>The query API, /metrics, the health checks, and in a cluster the status and admin actions.</summary>
    public static void MapEndpoints(WebApplication app)
    {
        app.UseK2ApiErrors();
        app.MapK2Api();
        app.MapK2Metrics();
        if (ClusterClientHosting.IsClusterClient(app.Configuration))
        {
            app.MapStatus();
            app.MapAdmin();
        }

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HotStoreHealthCheck.ReadyTag) });
    }
}

using System.Data.Common;
using K2.Storage.Iceberg.Catalog;
using Microsoft.Extensions.Options;

namespace K2.Api.Status;

public static class StatusServiceCollectionExtensions
{
    /// <summary>
    /// What <c>/v1/status</c> reads beyond the grains: hot table sizes and cold table states. Needs the hot store, the
    /// cold tier and the exchange shards (<see cref="K2.Grains.Hosting.IngestSessions"/>) registered. A silo adds its own
    /// counters (<paramref name="siloCounters"/>), which need its ingest registered.
    /// </summary>
    public static IServiceCollection AddK2Status(this IServiceCollection services, bool siloCounters)
    {
        if (siloCounters)
        {
            services.AddSingleton<SiloCounters>();
        }

        services.AddSingleton(sp => new ColdTableStates(
            sp.GetRequiredService<DbDataSource>(), sp.GetRequiredService<IOptions<StateDatabaseOptions>>().Value.CatalogName));
        services.AddSingleton<ColdTableStatuses>();
        services.AddSingleton<HotTableSizes>();
        services.AddSingleton<StoreStatusSections>();
        services.AddSingleton<ClusterActivations>();
        services.AddSingleton<InstrumentStatuses>();
        return services;
    }
}

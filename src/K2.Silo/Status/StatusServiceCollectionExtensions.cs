using System.Data.Common;
using K2.Storage.Iceberg.Catalog;
using Microsoft.Extensions.Options;

namespace K2.Silo.Status;

internal static class StatusServiceCollectionExtensions
{
    /// <summary>What <c>/v1/status</c> reads beyond the grains: hot table sizes and cold table states. Needs the hot store and the cold tier registered.</summary>
    public static IServiceCollection AddK2Status(this IServiceCollection services)
    {
        services.AddSingleton(sp => new ColdTableStates(
            sp.GetRequiredService<DbDataSource>(), sp.GetRequiredService<IOptions<StateDatabaseOptions>>().Value.CatalogName));
        services.AddSingleton<ColdTableStatuses>();
        services.AddSingleton<HotTableSizes>();
        services.AddSingleton<StoreStatusSections>();
        services.AddSingleton<InstrumentStatuses>();
        return services;
    }
}

using System.Data.Common;
using K2.Storage.History;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Maintenance;
using K2.Storage.Iceberg.Offload;
using K2.Storage.ObjectStores;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace K2.Storage.Iceberg;

public static class ColdTierServiceCollectionExtensions
{
    /// <summary>
    /// The cold tier: the warehouse's object store (<c>K2:Warehouse</c>), the state database with the Iceberg catalog
    /// (<c>K2:State</c>), the offload (<c>K2:Offload</c>), the daily maintenance (<c>K2:Maintenance</c>) and the reads of
    /// trades and candles over both tiers (<see cref="TradeHistory"/>, <see cref="CandleHistory"/>, <see cref="HistoryExport"/>). Needs the hot store registered too.
    /// </summary>
    public static IServiceCollection AddColdTier(this IServiceCollection services)
    {
        services.AddWarehouseObjectStore();
        services.AddOptions<StateDatabaseOptions>().BindConfiguration(StateDatabaseOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StateDatabaseOptions>, StateDatabaseOptionsValidator>();
        services.AddOptions<OffloadOptions>().BindConfiguration(OffloadOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OffloadOptions>, OffloadOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DbDataSource>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StateDatabaseOptions>>().Value;
            if (options.Kind == StateDatabaseKind.Postgres)
            {
                return NpgsqlDataSource.Create(options.PostgresConnectionString);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.SqlitePath))!);
            return SqliteFactory.Instance.CreateDataSource(new SqliteConnectionStringBuilder { DataSource = options.SqlitePath, DefaultTimeout = 30 }.ToString());
        });
        services.AddSingleton(sp => new SqlCatalog(sp.GetRequiredService<DbDataSource>(), sp.GetRequiredService<IOptions<StateDatabaseOptions>>().Value.CatalogName));
        services.AddSingleton(sp => new OffloadStateStore(sp.GetRequiredService<DbDataSource>()));
        services.AddSingleton(sp => new ScheduleLeases(sp.GetRequiredService<DbDataSource>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<OffloadOptions>>().Value);
        services.AddSingleton<TableMetadataCommitter>();
        services.AddSingleton<TableOffloader>();
        services.AddMetrics();
        services.AddSingleton<OffloadMetrics>();
        services.AddSingleton<OffloadCycle>();

        services.AddOptions<MaintenanceOptions>().BindConfiguration(MaintenanceOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MaintenanceOptions>, MaintenanceOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MaintenanceOptions>>().Value);
        services.AddSingleton<MaintenanceMetrics>();
        services.AddSingleton<SmallFileCompaction>();
        services.AddSingleton<SnapshotExpiration>();
        services.AddSingleton<OrphanFileRemoval>();
        services.AddSingleton<HotColdAudit>();
        services.AddSingleton<ColdTableMaintenance>();

        services.AddSingleton(sp => new ColdTableSource(
            sp.GetRequiredService<SqlCatalog>(), sp.GetRequiredService<IObjectStore>(), sp.GetRequiredService<IOptions<WarehouseOptions>>().Value.S3));
        services.AddSingleton<ColdTimeBounds>();
        services.AddSingleton<TradeHistory>();
        services.AddSingleton<ColdPageCache>();
        services.AddSingleton<CandleHistory>();
        services.AddSingleton<HistoryExport>();
        return services;
    }
}

using K2.Core;
using K2.Core.Candles;
using K2.Core.Trades;
using K2.Storage.Bronze;
using K2.Storage.Candles;
using K2.Storage.ClickHouse;
using K2.Storage.ClickHouse.Embedded;
using K2.Storage.ClickHouse.Http;
using K2.Storage.Schema;
using K2.Storage.Trades;
using K2.Storage.Writers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Storage.Hosting;

public static class HotStoreServiceCollectionExtensions
{
    /// <summary>
    /// The hot store on the embedded engine: schema migrations at start-up, the table writers, and the queries.
    /// Register before anything that writes: hosted services stop in reverse order, so writers drain after producers.
    /// </summary>
    public static IServiceCollection AddEmbeddedHotStore(this IServiceCollection services)
    {
        services.AddOptions<EmbeddedClickHouseOptions>().BindConfiguration(EmbeddedClickHouseOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmbeddedClickHouseOptions>, EmbeddedClickHouseOptionsValidator>();
        services.AddSingleton(sp => EmbeddedClickHouse.Open(
            sp.GetRequiredService<IOptions<EmbeddedClickHouseOptions>>().Value,
            sp.GetRequiredService<ILogger<EmbeddedClickHouse>>()));
        services.AddSingleton<IClickHouseClient>(sp => sp.GetRequiredService<EmbeddedClickHouse>());
        return services.AddHotStore();
    }

    /// <summary>
    /// The hot store on a ClickHouse server over HTTP (<c>K2:Storage:Http</c>): the same migrations, writers and queries
    /// as <see cref="AddEmbeddedHotStore"/>, for cluster mode where many processes share one store.
    /// </summary>
    public static IServiceCollection AddServerHotStore(this IServiceCollection services)
    {
        services.AddOptions<ClickHouseHttpOptions>().BindConfiguration(ClickHouseHttpOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClickHouseHttpOptions>, ClickHouseHttpOptionsValidator>();
        services.AddSingleton(sp => new ClickHouseHttpClient(
            sp.GetRequiredService<IOptions<ClickHouseHttpOptions>>().Value,
            sp.GetRequiredService<ILogger<ClickHouseHttpClient>>()));
        services.AddSingleton<IClickHouseClient>(sp => sp.GetRequiredService<ClickHouseHttpClient>());
        return services.AddHotStore();
    }

    /// <summary>
    /// The hot store on whatever <see cref="IClickHouseClient"/> is registered: migrations at start-up, the silver and
    /// bronze writers, the candle writer, and the queries.
    /// </summary>
    public static IServiceCollection AddHotStore(this IServiceCollection services)
    {
        services.AddOptions<HotStoreOptions>().BindConfiguration(HotStoreOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HotStoreOptions>, HotStoreOptionsValidator>();
        services.AddOptions<BatchedWriterOptions>().BindConfiguration(BatchedWriterOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BatchedWriterOptions>, BatchedWriterOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<HotStoreOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BatchedWriterOptions>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();

        services.AddSingleton<HotStoreMigrator>();
        services.AddSingleton<HotStoreInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<HotStoreInitializer>());

        services.AddSingleton<StorageMetrics>();
        services.AddSingleton<IRowBinaryTable<Trade>, SilverTradesTable>();
        services.AddSingleton<BatchedTableWriter<Trade>>();
        services.AddHostedService(sp => sp.GetRequiredService<BatchedTableWriter<Trade>>());
        services.AddSingleton<IRowBinaryTable<Candle>, OhlcvTable>();
        services.AddSingleton<BatchedTableWriter<Candle>>();
        services.AddHostedService(sp => sp.GetRequiredService<BatchedTableWriter<Candle>>());
        services.AddSingleton<BronzeWriters>();
        foreach (var exchange in ExchangeNames.All)
        {
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<BronzeWriters>().For(exchange));
        }

        services.AddSingleton<TradeQueries>();
        services.AddSingleton<CandleQueries>();
        return services;
    }
}

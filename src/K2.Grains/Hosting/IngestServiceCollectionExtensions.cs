using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges;
using K2.Grains.Ingest;
using K2.Grains.Instruments;
using K2.Grains.Placement;
using K2.Storage.Candles;
using K2.Storage.Writers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace K2.Grains.Hosting;

public static class IngestServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ingest path: what the exchange and instrument grains need, and the keeper that keeps every exchange
    /// shard running. The grains themselves are found by the Orleans silo. Register the hot store before the silo and
    /// this after it: hosted services stop in reverse order, so the keeper stops the sessions first and the writers
    /// outlive the grains. Needs the <see cref="K2.Core.Instruments.InstrumentRegistry"/>.
    /// </summary>
    public static IServiceCollection AddK2Ingest(this IServiceCollection services)
    {
        services.AddExchangeShards();
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<BackfillQueues>();
        services.AddLatestTradeWindows();
        services.AddSingleton<IExchangeConnectors, ExchangeConnectors>();
        services.AddSingleton<SharedBackfillWorkers>();
        services.AddSingleton<RunningShards>();
        services.AddPlacementDirector<ExchangeShardPlacement, ExchangeShardPlacementDirector>();
        services.AddMembershipChanges();
        services.AddHostedService<ExchangeShardKeeper>();
        return services;
    }

    /// <summary>
    /// The enabled exchanges and their shards (<see cref="IngestSessions"/>) from <c>K2:Exchanges</c> and the instrument
    /// registry: what a silo runs sessions for, and what a client of the cluster asks the shards' grains about. Part of
    /// <see cref="AddK2Ingest"/>.
    /// </summary>
    public static IServiceCollection AddExchangeShards(this IServiceCollection services)
    {
        services.AddOptions<ExchangesOptions>().BindConfiguration(ExchangesOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ExchangesOptions>, ExchangesOptionsValidator>();
        services.AddSingleton<IValidateOptions<ExchangesOptions>, ExchangeShardsValidator>();
        services.AddSingleton<IngestSessions>();
        return services;
    }

    /// <summary>
    /// Lets the backfill workers store an operator's requested ranges (<see cref="BackfillReason.Requested"/>): what is
    /// stored already is looked up over both tiers, and the candles of the range are recomputed over both, so this needs
    /// the hot store's writers and the cold tier.
    /// </summary>
    public static IServiceCollection AddRequestedBackfills(this IServiceCollection services) => services
        .AddSingleton<TieredCandleRecompute>()
        .AddSingleton<RequestedBackfillStore>();

    /// <summary>The silo's count of membership changes, which the instrument grains watch. Part of <see cref="AddK2Ingest"/>.</summary>
    public static IServiceCollection AddMembershipChanges(this IServiceCollection services)
    {
        services.AddSingleton<MembershipChanges>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<MembershipChanges>());
        return services;
    }

    /// <summary>
    /// The instrument grains' latest-trades windows and the landed-trade metrics (ingest latency, newest trade per
    /// instrument), both told by the silver trade writer what landed. Part of <see cref="AddK2Ingest"/>; hosts that run
    /// the instrument grain alone add it themselves.
    /// </summary>
    public static IServiceCollection AddLatestTradeWindows(this IServiceCollection services)
    {
        services.AddSingleton<LatestTradeWindows>();
        services.AddSingleton<LandedTradeMetrics>();
        services.AddSingleton<ILandedRowsObserver<Trade>>(sp => new LandedRowsObservers<Trade>(
            sp.GetRequiredService<LatestTradeWindows>(), sp.GetRequiredService<LandedTradeMetrics>()));
        return services;
    }
}

using System.Collections.Concurrent;
using K2.Grains.Backfill;
using K2.Grains.Exchanges;
using K2.Grains.Hosting;
using K2.Grains.Placement;
using K2.Grains.Tests.Exchanges.Shards;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Grains.Tests.Support;

/// <summary>
/// What the exchange grain needs to take an instrument grain's backfill requests into the silo's queue, without a keeper
/// (no session ever starts, so the queue is the test's to observe) and with connectors that reach no exchange.
/// </summary>
internal static class ShardServices
{
    public static IServiceCollection AddBackfillQueuesOfShards(this IServiceCollection services)
    {
        services.AddPlacementDirector<ExchangeShardPlacement, ExchangeShardPlacementDirector>();
        services.AddMembershipChanges();
        return services
            .AddSingleton<BackfillQueues>()
            .AddSingleton<IngestSessions>()
            .AddSingleton<SharedBackfillWorkers>()
            .AddSingleton<RunningShards>()
            .AddSingleton<IExchangeConnectors>(new ScriptedConnectors(new ConcurrentQueue<string>()));
    }
}

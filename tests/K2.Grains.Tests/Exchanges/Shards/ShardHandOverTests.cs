using System.Collections.Concurrent;
using K2.Core.Instruments;
using K2.Grains.Configuration;
using K2.Grains.Exchanges;
using K2.Grains.Hosting;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace K2.Grains.Tests.Exchanges.Shards;

/// <summary>
/// One silo runs both Binance shards; a second joins, and the keepers move one shard to it (no silo may hold more
/// than ceil(2 / 2) = 1). The move is a planned handover, and is logged as one, not as a shard that was lost.
/// </summary>
public sealed class ShardHandOverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string[] Shards = ["binance/0", "binance/1"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_shard_moved_to_a_joining_silo_is_logged_as_handed_over_not_as_lost()
    {
        var registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
        var connectors = new ConcurrentDictionary<string, ScriptedConnectors>(StringComparer.Ordinal);
        var logs = new CapturingLoggerProvider();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((options, host) => host.Logging.AddProvider(logs));
        builder.ConfigureSilo((options, silo) => silo.Services
            .AddSingleton(registry)
            .Configure<ExchangesOptions>(o =>
            {
                o.Binance.Shards = 2;
                o.Kraken.Enabled = false;
                o.Coinbase.Enabled = false;
            })
            .AddK2Ingest()
            .AddSingleton<IExchangeConnectors>(connectors.GetOrAdd(options.SiloName, _ => new ScriptedConnectors(new ConcurrentQueue<string>()))));
        await using var cluster = builder.Build();
        await cluster.DeployAsync(Ct);
        var first = cluster.Silos.Single();
        Shards.ShouldAllBe(shard => connectors[first.Name].SessionsOf(shard).Any(s => s.IsRunning));

        var joined = await cluster.StartAdditionalSiloAsync();
        await Eventually.TrueAsync(
            () => Shards.Count(shard => connectors.GetValueOrDefault(joined.Name)?.SessionsOf(shard).Any(s => s.IsRunning) == true) == 1
                  && Shards.Count(shard => connectors[first.Name].SessionsOf(shard).Any(s => s.IsRunning)) == 1,
            Patience, "one shard did not move to the joining silo", Ct);

        var moved = Shards.Single(shard => connectors[joined.Name].SessionsOf(shard).Any(s => s.IsRunning));
        string[] Logged(int eventId) => [.. logs.Entries.Where(e => e.EventId.Id == eventId).Select(e => e.Message)];
        Logged(GrainsEventIds.ExchangeShardHandedOver).ShouldBe([$"Exchange shard {moved} handed over; it belongs on silo {joined.SiloAddress.Endpoint} now"]);
        await Eventually.TrueAsync(() => Logged(GrainsEventIds.ExchangeShardStartedAfterHandOver).Length > 0, Patience, "the arrival was not logged", Ct);
        Logged(GrainsEventIds.ExchangeShardStartedAfterHandOver).ShouldBe([$"Exchange shard {moved} runs again on its new silo after its handover"]);
        Logged(GrainsEventIds.ExchangeShardNotRunning).ShouldBeEmpty("a planned handover is not a lost shard");
    }
}

using System.Collections.Concurrent;
using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges;
using K2.Grains.Exchanges.Sessions;
using K2.Grains.Hosting;
using K2.Grains.Ingest;
using K2.Grains.Tests.Exchanges.Shards;
using K2.Grains.Tests.Support;
using K2.Storage.Bronze;
using K2.Storage.Trades;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;

namespace K2.Grains.Tests.Backfill;

/// <summary>
/// Two silos in one process, each with its keeper, the real hot store and failure detection tuned to about a second;
/// one Binance shard whose session reaches no exchange, and each silo's real backfill worker over a scripted REST
/// history. The instrument grain is placed on the silo without the shard: its gap is backfilled by the other silo's
/// worker, and when that silo dies with the repair still queued there, by the survivor's.
/// </summary>
public sealed class CrossSiloBackfillTests(EmbeddedClickHouseFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Instrument Btc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);
    private static readonly UnixMicros Start = UnixMicros.Now(TimeProvider.System);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_gap_of_an_instrument_on_a_silo_without_its_shard_is_fetched_by_the_worker_of_the_shard_s_silo()
    {
        await using var cluster = await StartAsync();
        var (holder, other) = await ShardSilosAsync(cluster);
        Connectors(holder).Serving.SetResult();
        Connectors(other).Serving.SetResult();

        var instrument = await ActivateOnAsync(other, cluster);
        await instrument.OnTradesAsync([Make(10), Make(15)], Ct);
        await Eventually.TrueAsync(async () => (await instrument.GetStatusAsync()).OpenGaps == 0, Patience, "the gap 11..14 was not repaired", Ct);

        (await StoredIdsAsync(other)).ShouldBe(["10", "11", "12", "13", "14", "15"]);
        Connectors(holder).History.Requests.ShouldBe([new BackfillRequest(Btc, BackfillReason.Gap, 11, 14, Time(10), Time(15))]);
        Connectors(other).History.Requests.ShouldBeEmpty("no shard runs on the instrument's silo");
        other.ServiceProvider.GetRequiredService<IngestMetrics>().Totals(Exchange.Binance).TradesStored.ShouldBe(6, "the instrument grain runs on the other silo");
        holder.ServiceProvider.GetRequiredService<IngestMetrics>().Totals(Exchange.Binance).TradesStored.ShouldBe(0);
    }

    [Fact]
    public async Task A_repair_queued_on_a_silo_that_dies_is_asked_for_again_and_completes_on_the_survivor()
    {
        await using var cluster = await StartAsync();
        var (holder, survivor) = await ShardSilosAsync(cluster);
        Connectors(survivor).Serving.SetResult(); // the holder's worker never takes the request

        var instrument = await ActivateOnAsync(survivor, cluster);
        await instrument.OnTradesAsync([Make(10), Make(15)], Ct);
        var holderQueue = holder.ServiceProvider.GetRequiredService<BackfillQueues>().For(Exchange.Binance);
        holderQueue.Count.ShouldBe(1, "queued on the holder's silo, where the shard runs");

        await cluster.Cluster.KillSiloAsync(holder, Ct);
        await Eventually.TrueAsync(async () => (await instrument.GetStatusAsync()).OpenGaps == 0, Patience, "the gap 11..14 was not repaired on the survivor", Ct);

        (await StoredIdsAsync(survivor)).ShouldBe(["10", "11", "12", "13", "14", "15"]);
        Connectors(survivor).History.Requests.ShouldBe([new BackfillRequest(Btc, BackfillReason.Gap, 11, 14, Time(10), Time(15))]);
        cluster.Logs.Entries.Where(e => e.EventId.Id == GrainsEventIds.BackfillsAskedAgain).ShouldNotBeEmpty();
    }

    private static SiloConnectors Connectors(InProcessSiloHandle silo) => (SiloConnectors)silo.ServiceProvider.GetRequiredService<IExchangeConnectors>();

    private static Trade Make(long id) => new(Btc, TradeId.FromNumber(id), 87_000m + id, 0.5m, TradeSide.Buy, Time(id), Time(id));

    private static UnixMicros Time(long id) => new(Start.Value - 1_000_000 + id);

    /// <summary>The silo holding the shard binance/0 once it runs, and the other one.</summary>
    private static async Task<(InProcessSiloHandle Holder, InProcessSiloHandle Other)> ShardSilosAsync(TwoSilos cluster)
    {
        var shard = cluster.Cluster.Client.GetGrain<IExchangeGrain>("binance/0");
        await Eventually.TrueAsync(async () => (await shard.GetStatusAsync()).State == ExchangeShardStates.Running, Patience, "binance/0 never ran", Ct);
        var silo = (await shard.GetStatusAsync()).Silo;
        var holder = cluster.Cluster.Silos.Single(s => s.SiloAddress.ToString() == silo);
        return (holder, cluster.Cluster.Silos.Single(s => s != holder));
    }

    /// <summary>Activates the instrument grain on <paramref name="silo"/> (a placement hint on the activating call) and returns it as that silo's grains call it.</summary>
    private static async Task<IInstrumentGrain> ActivateOnAsync(InProcessSiloHandle silo, TwoSilos cluster)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
        try
        {
            await cluster.Cluster.Client.GetGrain<IInstrumentGrain>(Btc.Key).GetStatusAsync();
        }
        finally
        {
            RequestContext.Clear();
        }

        return silo.ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IInstrumentGrain>(Btc.Key);
    }

    private static async Task<IReadOnlyList<string>> StoredIdsAsync(InProcessSiloHandle silo)
    {
        IReadOnlyList<string> ids = [];
        await Eventually.TrueAsync(
            async () =>
            {
                var stored = await silo.ServiceProvider.GetRequiredService<TradeQueries>().GetLatestAsync(Exchange.Binance, Btc.Symbol, 100, Ct);
                ids = [.. stored.Select(t => t.TradeId).Order(StringComparer.Ordinal)];
                return ids.Count >= 6;
            },
            Patience, "six trades were never stored", Ct);
        return ids;
    }

    private async Task<TwoSilos> StartAsync()
    {
        var database = (await fixture.CreateDatabaseAsync(Ct)).Database;
        var logs = new CapturingLoggerProvider();
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((options, host) =>
        {
            host.Logging.AddProvider(logs);
            host.Services.AddTestHotStore(fixture, database); // before the silo: the writers outlive the grains
        });
        builder.ConfigureSilo((options, silo) =>
        {
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            silo.Services
                .AddSingleton(new InstrumentRegistry([Btc]))
                .Configure<ExchangesOptions>(o =>
                {
                    o.Kraken.Enabled = false;
                    o.Coinbase.Enabled = false;
                })
                .Configure<IngestOptions>(o =>
                {
                    o.GapGrace = TimeSpan.Zero;
                    o.QuietProbeAfter = TimeSpan.Zero;
                    o.ReconcileInterval = TimeSpan.Zero;
                    o.GapOverdueAfter = TimeSpan.FromHours(1);
                })
                .AddK2Ingest()
                .AddSingleton<IExchangeConnectors>(sp => new SiloConnectors(sp));
        });
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync(Ct);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return new TwoSilos(cluster, logs);
    }

    private sealed class TwoSilos(InProcessTestCluster cluster, CapturingLoggerProvider logs)
        : IAsyncDisposable
    {
        public InProcessTestCluster Cluster => cluster;

        public CapturingLoggerProvider Logs => logs;

        public ValueTask DisposeAsync() => cluster.DisposeAsync();
    }

    /// <summary>
    /// One silo's connectors: sessions that reach no exchange, and the real backfill worker over the silo's queue with a
    /// scripted history that answers every gap with its trades. The worker takes requests once the test opens <see cref="Serving"/>.
    /// </summary>
    private sealed class SiloConnectors(IServiceProvider services) : IExchangeConnectors
    {
        private readonly ScriptedConnectors _sessions = new(new ConcurrentQueue<string>());

        public ScriptedHistoryClient History { get; } = new()
        {
            Fetch = (request, onPage, ct) => onPage(
                new TradeHistoryPage([.. Enumerable.Range((int)request.FromId!.Value, (int)(request.ToId!.Value - request.FromId.Value + 1)).Select(id => Make(id))],
                    [], "GET /api/v3/historicalTrades", UnixMicros.Now(TimeProvider.System)),
                ct),
        };

        public TaskCompletionSource Serving { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IExchangeSession CreateSession(ExchangeShard shard, TradeRoute route, PossibleLoss signalPossibleLoss) =>
            _sessions.CreateSession(shard, route, signalPossibleLoss);

        public Func<CancellationToken, Task> CreateBackfill(Exchange exchange, TradeRoute route, BackfillRefine refine, BackfillDone done)
        {
            var worker = new BackfillWorker(
                services.GetRequiredService<BackfillQueues>().For(exchange), History, route,
                (request, _, _) => throw new InvalidOperationException($"{request}: no requested backfills here"),
                (_, _) => Task.CompletedTask,
                refine, done,
                services.GetRequiredService<BronzeWriters>(), services.GetRequiredService<IngestMetrics>(), NullLogger<BackfillWorker>.Instance);
            return async stop =>
            {
                await Serving.Task.WaitAsync(stop);
                await worker.RunAsync(stop);
            };
        }
    }
}

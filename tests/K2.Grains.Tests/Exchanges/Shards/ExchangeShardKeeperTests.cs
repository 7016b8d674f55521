using System.Collections.Concurrent;
using K2.Core.Instruments;
using K2.Grains.Abstractions;
using K2.Grains.Configuration;
using K2.Grains.Exchanges;
using K2.Grains.Hosting;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Core.Internal;

namespace K2.Grains.Tests.Exchanges.Shards;

/// <summary>
/// The exchange grains and their keeper in one silo registered as <c>k2 run</c> registers them, over the repository's
/// instruments with Binance in two shards, on a manual clock; sessions and backfill loops are scripted stand-ins.
/// </summary>
public sealed class ExchangeShardKeeperTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly string[] AllShards = ["binance/0", "binance/1", "kraken/0", "coinbase/0"];

    private readonly InstrumentRegistry _registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ScriptedConnectors _connectors;
    private GrainTestHost? _host;

    public ExchangeShardKeeperTests()
    {
        _connectors = new ScriptedConnectors(_events);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GrainTestHost Host => _host!;

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private async Task StartAsync()
    {
        var probe = new StopOrderProbe(_events);
        _host = await GrainTestHost.StartAsync(
            configureServices: services => services
                .AddSingleton(_registry)
                .AddHostedService(_ => probe)
                .AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(probe)
                .Configure<ExchangesOptions>(o => o.Binance.Shards = 2),
            cancellationToken: Ct,
            configureAfterSilo: services => services.AddK2Ingest().AddSingleton<IExchangeConnectors>(_connectors));
        await WaitForAsync(AllShards.Select(shard => $"session {shard} started"));
    }

    private IExchangeGrain Shard(string key) => Host.GrainFactory.GetGrain<IExchangeGrain>(key);

    private string LocalSilo => Host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();

    private int Count(string @event) => _events.Count(e => e == @event);

    private Task WaitForAsync(IEnumerable<string> events) =>
        Eventually.TrueAsync(() => events.All(_events.Contains), Patience, $"waited for {string.Join(", ", events)}; saw {string.Join(", ", _events)}", Ct);

    private IReadOnlyList<CapturedLogEntry> Logged(int eventId) => [.. Host.Logs.Entries.Where(e => e.EventId.Id == eventId)];

    [Fact]
    public async Task At_start_every_shard_runs_one_session_over_its_own_instruments_and_each_exchange_one_backfill_worker()
    {
        await StartAsync();

        foreach (var shard in AllShards)
        {
            _connectors.SessionsOf(shard).Count.ShouldBe(1, shard);
        }

        _connectors.SessionsOf("binance/0").Single().Shard.Instruments.Select(i => i.Symbol)
            .ShouldBe(["BTC-USDT", "BNB-USDT", "XRP-USDT", "ADA-USDT", "LINK-USDT", "LTC-USDT"]);
        _connectors.SessionsOf("binance/1").Single().Shard.Instruments.Select(i => i.Symbol)
            .ShouldBe(["ETH-USDT", "SOL-USDT", "DOGE-USDT", "AVAX-USDT", "DOT-USDT", "TRX-USDT"]);
        _connectors.SessionsOf("kraken/0").Single().Shard.Instruments.Count.ShouldBe(11);
        await WaitForAsync(["backfill binance started", "backfill kraken started", "backfill coinbase started"]);
        Count("backfill binance started").ShouldBe(1, "the two Binance shards share the exchange's worker");
        (await Shard("binance/1").GetStatusAsync()).ShouldBe(
            new ExchangeSessionStatus("binance", true, 6, 1, 0, 0, null) { Shard = "binance/1", State = ExchangeShardStates.Running, Silo = LocalSilo });
        Logged(GrainsEventIds.ExchangeShardStarted).Select(e => e.Message).Order(StringComparer.Ordinal).ShouldBe(
        [
            $"Exchange shard binance/0 started its session on silo {LocalSilo} (6 instruments)",
            $"Exchange shard binance/1 started its session on silo {LocalSilo} (6 instruments)",
            $"Exchange shard coinbase/0 started its session on silo {LocalSilo} (11 instruments)",
            $"Exchange shard kraken/0 started its session on silo {LocalSilo} (11 instruments)",
        ]);
        Logged(GrainsEventIds.ExchangeShardNotRunning).ShouldBeEmpty("starting is not news");
    }

    [Fact]
    public async Task A_shard_the_runtime_deactivated_is_activated_and_started_again_at_the_keepers_next_ping()
    {
        await StartAsync();

        await Shard("binance/1").Cast<IGrainManagementExtension>().DeactivateOnIdle(Ct);
        await WaitForAsync(["session binance/1 stopped"]);
        _connectors.SessionsOf("binance/1").Count.ShouldBe(1, "nothing but the keeper's ping starts it, and the clock has not moved");
        Host.Clock.Advance(ExchangeShardKeeper.PingInterval);

        await Eventually.TrueAsync(
            () => _connectors.SessionsOf("binance/1") is [_, { IsRunning: true }], Patience, "binance/1 did not run again", Ct);
        (await Shard("binance/1").GetStatusAsync()).State.ShouldBe(ExchangeShardStates.Running);
        Logged(GrainsEventIds.ExchangeShardNotRunning).ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            e => e.Level.ShouldBe(LogLevel.Warning),
            e => e.Message.ShouldBe("Exchange shard binance/1 was not running; the keeper started it again"));
        Count("backfill binance started").ShouldBe(1);
        Count("backfill binance stopped").ShouldBe(0, "binance/0 kept the exchange's worker running");
        foreach (var shard in AllShards.Except(["binance/1"]))
        {
            _connectors.SessionsOf(shard).Count.ShouldBe(1, shard);
        }
    }

    [Fact]
    public async Task A_session_that_ends_on_its_own_is_started_afresh_at_the_keepers_next_ping()
    {
        _connectors.FailNextSession("kraken/0");
        await StartAsync();

        await WaitForAsync(["session kraken/0 failed"]);
        await Eventually.TrueAsync(
            async () => (await Shard("kraken/0").GetStatusAsync()).State == ExchangeShardStates.Stopped, Patience, "kraken/0 still reported running", Ct);
        // The grain logs the end from a continuation of the session's task, which may run after the state reads Stopped.
        await Eventually.TrueAsync(() => Logged(GrainsEventIds.ExchangeShardSessionEnded).Count > 0, Patience, "the session's end was not logged", Ct);
        Logged(GrainsEventIds.ExchangeShardSessionEnded).ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            e => e.Level.ShouldBe(LogLevel.Critical),
            e => e.Message.ShouldBe("The session of exchange shard kraken/0 ended on its own; the keeper starts it again"),
            e => e.Exception.ShouldNotBeNull());
        Host.Clock.Advance(ExchangeShardKeeper.PingInterval);

        await Eventually.TrueAsync(
            () => _connectors.SessionsOf("kraken/0") is [{ IsRunning: false }, { IsRunning: true }], Patience, "kraken/0 did not run again", Ct);
        Logged(GrainsEventIds.ExchangeShardNotRunning).Select(e => e.Message)
            .ShouldBe(["Exchange shard kraken/0 was not running; the keeper started it again"]);
    }

    [Fact]
    public async Task A_stopped_shard_says_so_and_the_exchange_backfill_worker_stops_with_its_last_shard_here()
    {
        await StartAsync();

        await Shard("binance/0").StopAsync(Ct);
        (await Shard("binance/0").GetStatusAsync()).ShouldBe(
            new ExchangeSessionStatus("binance", false, 0, 1, 0, 0, null) { Shard = "binance/0", State = ExchangeShardStates.Stopped, Silo = LocalSilo });
        Count("session binance/0 stopped").ShouldBe(1);
        Count("backfill binance stopped").ShouldBe(0, "binance/1 still runs here");
        await Shard("binance/1").StopAsync(Ct);
        Count("backfill binance stopped").ShouldBe(1, "the last Binance shard here waited for the worker to stop");

        (await Shard("binance/0").EnsureRunningAsync()).ShouldBe(ShardStart.Started);
        (await Shard("binance/0").EnsureRunningAsync()).ShouldBe(ShardStart.AlreadyRunning, "it runs already");
        await WaitForAsync(["session binance/0 started"]);
        await Eventually.TrueAsync(() => Count("backfill binance started") == 2, Patience, "the Binance worker did not start again", Ct);
        (await Shard("binance/0").GetStatusAsync()).State.ShouldBe(ExchangeShardStates.Running);
        Count("session binance/0 started").ShouldBe(2, "the same session object runs again");
    }

    [Fact]
    public async Task At_a_stop_the_keeper_stops_every_session_and_worker_before_the_silo_stops_and_the_writers_stop_last()
    {
        await StartAsync();
        await WaitForAsync(["backfill binance started", "backfill kraken started", "backfill coinbase started"]);

        await Host.StopAsync(Ct);

        var events = _events.ToList();
        var siloStopping = events.IndexOf("silo stopping");
        siloStopping.ShouldBeGreaterThan(0);
        foreach (var stopped in AllShards.Select(s => $"session {s} stopped").Concat(["backfill binance stopped", "backfill kraken stopped", "backfill coinbase stopped"]))
        {
            events.IndexOf(stopped).ShouldBeInRange(0, siloStopping - 1, stopped);
        }

        events.IndexOf("writers stopped").ShouldBeGreaterThan(siloStopping);
        events.Count(e => e.StartsWith("session ", StringComparison.Ordinal) && e.EndsWith(" started", StringComparison.Ordinal))
            .ShouldBe(AllShards.Length, "no ping started anything once the stop had begun");
        Logged(GrainsEventIds.ExchangeShardStopped).Count.ShouldBe(AllShards.Length);
    }
}

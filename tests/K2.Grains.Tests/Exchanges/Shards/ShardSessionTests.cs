using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Exchanges.Kraken;
using K2.Core.Instruments;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges;
using K2.Grains.Ingest;
using K2.Grains.Tests.Support;
using K2.Simulator;
using K2.Storage.Bronze;
using K2.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace K2.Grains.Tests.Exchanges.Shards;

/// <summary>
/// The sessions the connectors build for an exchange's two shards, against the simulator on loopback (real sockets,
/// the real bronze writer): each subscribes to its own instruments, and to nothing of the other's.
/// </summary>
public sealed class ShardSessionTests(EmbeddedClickHouseFixture fixture) : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly InstrumentRegistry _registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
    private readonly TestMeterFactory _meters = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _runs = [];
    private RunningHotStore? _store;
    private ExchangeSimulator? _simulator;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_runs).WaitAsync(Patience);
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _stop.Dispose();
        _meters.Dispose();
    }

    /// <summary>What the simulator lists for a session subscribed to exactly these instruments.</summary>
    private static string[] Streams(Exchange exchange, IEnumerable<Instrument> instruments) => exchange switch
    {
        Exchange.Binance => [.. instruments.Select(BinanceSymbols.TradeStream)],
        Exchange.Kraken => [.. instruments.Select(i => $"{KrakenEndpoints.TradeChannel}:{KrakenSymbols.WebSocketSymbol(i)}")],
        _ => [CoinbaseEndpoints.HeartbeatsChannel, .. CoinbaseSymbols.MarketDataProductIds(instruments).Select(p => $"{CoinbaseEndpoints.MarketTradesChannel}:{p}")],
    };

    [Theory]
    [InlineData(Exchange.Binance)]
    [InlineData(Exchange.Kraken)]
    [InlineData(Exchange.Coinbase)]
    public async Task Each_shards_session_subscribes_to_its_own_instruments_only(Exchange exchange)
    {
        _simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions { StartPaused = true }, _registry, NullLoggerFactory.Instance, Ct);
        var options = new ConfigurationBuilder().AddInMemoryCollection(_simulator.K2Settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build()
            .GetSection(ExchangesOptions.Section).Get<ExchangesOptions>()!;
        options.Binance.Shards = options.Kraken.Shards = options.Coinbase.Shards = 2;
        options.Coinbase.MaxOutgoingMessagesPerSecond = 4;
        using var connectors = new ExchangeConnectors(
            Options.Create(options), await StartBronzeAsync(), new BackfillQueues(TimeProvider.System, Options.Create(options)), new IngestMetrics(_meters),
            TimeProvider.System, NullLoggerFactory.Instance);
        var shards = ExchangeShardAssignment.Assign(exchange, options.Sharding(exchange), _registry.ForExchange(exchange));
        shards.Count.ShouldBe(2);

        foreach (var shard in shards)
        {
            var session = connectors.CreateSession(shard, (_, _, _) => Task.CompletedTask, (_, _) => Task.CompletedTask);
            _runs.Add(session.RunAsync(_stop.Token));
        }

        string[][] expected = [.. shards.Select(s => Streams(exchange, s.Instruments).Order(StringComparer.Ordinal).ToArray())];
        expected[0].Intersect(expected[1]).ShouldBe(exchange == Exchange.Coinbase ? [CoinbaseEndpoints.HeartbeatsChannel] : []);
        expected.Sum(e => e.Length).ShouldBe(Streams(exchange, _registry.ForExchange(exchange)).Length + (exchange == Exchange.Coinbase ? 1 : 0));
        await Eventually.TrueAsync(
            () =>
            {
                var subscribed = _simulator.Sessions.Where(s => s.Exchange == exchange).Select(s => s.Streams.Order(StringComparer.Ordinal).ToArray()).ToList();
                return subscribed.Count == 2 && expected.All(e => subscribed.Any(s => s.SequenceEqual(e)));
            },
            Patience,
            $"the simulator's {exchange} sessions did not subscribe to one shard each: {string.Join(" | ", _simulator.Sessions.Select(s => string.Join(",", s.Streams)))}",
            Ct);

        // Each shard's connections are named after it in bronze, so a row's lineage says which session took it.
        _simulator.Resume();
        string[] sources = [.. shards.Select(s => s.Key)];
        await Eventually.TrueAsync(
            async () => (await BronzeSourcesAsync(exchange)).SequenceEqual(sources), Patience, $"bronze rows did not come from {string.Join(" and ", sources)}", Ct);
    }

    /// <summary>What the bronze rows' connection ids (<c>binance/1/PROCESS/N</c>) start with, in order.</summary>
    private Task<string[]> BronzeSourcesAsync(Exchange exchange) => fixture.ClickHouse.QueryAsync(
        $"SELECT DISTINCT arrayStringConcat(arraySlice(splitByChar('/', connection_id), 1, 2), '/') AS source FROM {_store!.Database}.bronze_trades_{exchange.ToName()} ORDER BY source",
        null, "TabSeparated", static data => System.Text.Encoding.UTF8.GetString(data).Split('\n', StringSplitOptions.RemoveEmptyEntries), Ct);

    private async Task<BronzeWriters> StartBronzeAsync()
    {
        _store = await RunningHotStore.StartAsync(fixture, Ct);
        return _store.Bronze;
    }
}

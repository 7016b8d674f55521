using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Exchanges.Rest;
using K2.Simulator;
using K2.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace K2.Grains.Tests.Exchanges.Rest;

/// <summary>
/// The simulator on loopback with one BTC instrument per exchange, which printed a known tape on a manual clock and
/// was then paused: its REST answers are fixed while a test moves the clock for the client's waits. The client side
/// (pager, clock) shares that clock and logs every request it sends.
/// </summary>
internal sealed class HistorySimulator : IAsyncDisposable
{
    private static readonly InstrumentRegistry Repository = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    private HistorySimulator(ExchangeSimulator simulator, ObservedTimeProvider time, RequestLog log)
    {
        Simulator = simulator;
        Time = time;
        Log = log;
        Http = new HttpClient(log);
    }

    public static Instrument BinanceBtc { get; } = Repository.ForExchange(Exchange.Binance).Single(i => i.Symbol == "BTC-USDT");

    public static Instrument KrakenBtc { get; } = Repository.ForExchange(Exchange.Kraken).Single(i => i.Symbol == "BTC-USD");

    public static Instrument CoinbaseBtc { get; } = Repository.ForExchange(Exchange.Coinbase).Single(i => i.Symbol == "BTC-USD");

    public ExchangeSimulator Simulator { get; }

    /// <summary>The client's clock (the simulator's, observed).</summary>
    public ObservedTimeProvider Time { get; }

    /// <summary>Every request the client sent, in order.</summary>
    public RequestLog Log { get; }

    public HttpClient Http { get; }

    /// <summary>Starts the simulator and lets it print <paramref name="tradesPerInstrument"/> trades on each instrument.</summary>
    public static async Task<HistorySimulator> StartAsync(int tradesPerInstrument, CancellationToken cancellationToken)
    {
        var clock = new ManualTimeProvider();
        var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = 500 }, new InstrumentRegistry([BinanceBtc, KrakenBtc, CoinbaseBtc]), clock, null, cancellationToken);
        clock.Advance(TimeSpan.FromSeconds(tradesPerInstrument / 500.0));
        simulator.Pause();
        var time = new ObservedTimeProvider(clock);
        var history = new HistorySimulator(simulator, time, new RequestLog(time));
        foreach (var instrument in new[] { BinanceBtc, KrakenBtc, CoinbaseBtc })
        {
            history.Printed(instrument).Count.ShouldBe(tradesPerInstrument, $"{instrument.Key} printed tape");
        }

        return history;
    }

    /// <summary>What the simulator printed for <paramref name="instrument"/>, oldest first.</summary>
    public IReadOnlyList<PrintedTrade> Printed(Instrument instrument) => Simulator.GroundTruth.For(instrument.Exchange, instrument.ExchangeSymbol);

    /// <summary>A pager with a gate as generous as asked (by default, never in the way).</summary>
    public RestPager Pager(Exchange exchange, RestRequestGate? gate = null) =>
        new(exchange, Http, gate ?? new RestRequestGate(1_000_000, TimeSpan.FromMinutes(1), Time), Time, NullLogger<RestPager>.Instance);

    /// <summary>Runs a fetch, keeping every page it hands over.</summary>
    public static async Task<IReadOnlyList<TradeHistoryPage>> FetchAsync(ITradeHistoryClient client, BackfillRequest request, CancellationToken cancellationToken)
    {
        var pages = new List<TradeHistoryPage>();
        await client.FetchAsync(request, (page, _) =>
        {
            lock (pages)
            {
                pages.Add(page);
            }

            return Task.CompletedTask;
        }, cancellationToken);
        return pages;
    }

    /// <summary>Each trade as the exchange printed it: the same instrument, id, price, quantity, taker side and time.</summary>
    public static void ShouldMatch(IReadOnlyList<Trade> trades, IReadOnlyList<PrintedTrade> printed, Instrument instrument)
    {
        trades.Select(t => t.TradeId.Number).ShouldBe(printed.Select(p => p.TradeId));
        foreach (var (trade, truth) in trades.Zip(printed))
        {
            trade.Instrument.ShouldBeSameAs(instrument);
            trade.Price.ShouldBe(truth.Price);
            trade.Quantity.ShouldBe(truth.Quantity);
            trade.Side.ShouldBe(truth.TakerSide);
            trade.ExchangeTime.ShouldBe(truth.TradeTime);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Simulator.DisposeAsync();
    }
}

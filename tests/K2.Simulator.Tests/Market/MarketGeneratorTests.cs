using K2.Core;
using K2.Core.Instruments;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Market;

public sealed class MarketGeneratorTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task The_same_seed_and_clock_print_identical_trades()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await PrintAsync(seed: 7, TestRegistries.BinanceOnly, TimeSpan.FromSeconds(3), ct);
        var second = await PrintAsync(seed: 7, TestRegistries.BinanceOnly, TimeSpan.FromSeconds(3), ct);
        var otherSeed = await PrintAsync(seed: 8, TestRegistries.BinanceOnly, TimeSpan.FromSeconds(3), ct);

        Assert.Equal(300, first.Count);
        Assert.Equal(first, second);
        Assert.NotEqual(first.Select(t => t.Price), otherSeed.Select(t => t.Price));
    }

    [Fact]
    public async Task Trades_are_sequential_exact_at_the_instrument_scales_and_strictly_later()
    {
        var ct = TestContext.Current.CancellationToken;
        var trades = await PrintAsync(seed: 42, TestRegistries.BinanceOnly, TimeSpan.FromSeconds(5), ct);

        var instruments = TestRegistries.BinanceOnly.ForExchange(Exchange.Binance);
        for (var index = 0; index < instruments.Count; index++)
        {
            var instrument = instruments[index];
            var tape = trades.Where(t => t.ExchangeSymbol == instrument.ExchangeSymbol).ToList();
            Assert.Equal(500 / instruments.Count, tape.Count);
            Assert.Equal(Enumerable.Range(0, tape.Count).Select(i => StartMilliseconds + i), tape.Select(t => t.TradeId));
            Assert.All(tape, t =>
            {
                Assert.True(t.Price > 0 && t.Quantity > 0);
                Assert.Equal(instrument.PriceScale, t.Price.Scale);
                Assert.Equal(instrument.QuantityScale, t.Quantity.Scale);
            });
            Assert.All(tape.Zip(tape.Skip(1)), pair => Assert.True(pair.Second.TradeTime > pair.First.TradeTime));
            Assert.Contains(tape, t => t.TakerSide == K2.Core.Trades.TradeSide.Buy);
            Assert.Contains(tape, t => t.TakerSide == K2.Core.Trades.TradeSide.Sell);
        }
    }

    [Fact]
    public async Task Trade_times_come_from_the_injected_clock()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        var start = UnixMicros.Now(time);
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = 1200 }, TestRegistries.BinanceOnly, time, null, ct);

        time.Advance(OneSecond);

        Assert.All(simulator.GroundTruth.All, t => Assert.InRange(t.TradeTime.Value, start.Value, start.Value + 1_000_000));
        Assert.Equal(start.Value + 1_000_000, simulator.GroundTruth.All[^1].TradeTime.Value);
    }

    [Fact]
    public async Task Adding_a_symbol_does_not_change_another_symbols_trades()
    {
        var ct = TestContext.Current.CancellationToken;
        Instrument[] two = [.. TestRegistries.BinanceOnly.ForExchange(Exchange.Binance).Take(2)];
        Instrument[] three = [.. TestRegistries.BinanceOnly.ForExchange(Exchange.Binance).Take(3)];

        var fewer = await PrintAsync(seed: 42, new InstrumentRegistry(two), TimeSpan.FromSeconds(3), ct);
        var more = await PrintAsync(seed: 42, new InstrumentRegistry(three), TimeSpan.FromSeconds(3), ct);

        // The rate per symbol changes with the symbol count, so times differ; the tape itself does not.
        var fewerEth = fewer.Where(t => t.ExchangeSymbol == "ETHUSDT").Select(t => (t.TradeId, t.Price, t.Quantity, t.TakerSide)).ToList();
        var moreEth = more.Where(t => t.ExchangeSymbol == "ETHUSDT").Select(t => (t.TradeId, t.Price, t.Quantity, t.TakerSide)).ToList();
        Assert.Equal(moreEth, fewerEth.Take(moreEth.Count));
    }

    [Fact]
    public async Task Pause_stops_printing_and_resume_restarts_it_without_a_burst()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = 1200, StartPaused = true }, TestRegistries.BinanceOnly, time, null, ct);

        time.Advance(OneSecond);
        Assert.Equal(0, simulator.GroundTruth.Count);

        simulator.Resume();
        time.Advance(OneSecond);
        Assert.Equal(1200, simulator.GroundTruth.Count);

        simulator.Pause();
        time.Advance(OneSecond);
        Assert.Equal(1200, simulator.GroundTruth.Count);

        simulator.Resume();
        time.Advance(OneSecond);
        Assert.Equal(2400, simulator.GroundTruth.Count);
    }

    /// <summary>Trade ids start at the market's start time in milliseconds, so they keep rising across restarts.</summary>
    private static readonly long StartMilliseconds = new ManualTimeProvider().GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public async Task A_restarted_market_prints_higher_trade_ids_than_the_run_before()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        long lastOfFirstRun;
        await using (var first = await ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = 100 }, TestRegistries.BinanceOnly, time, null, ct))
        {
            time.Advance(TimeSpan.FromSeconds(30));
            lastOfFirstRun = first.GroundTruth.All.Max(t => t.TradeId);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        await using var second = await ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = 100 }, TestRegistries.BinanceOnly, time, null, ct);
        time.Advance(TimeSpan.FromSeconds(1));

        // Each symbol's ids count up from its market's start in milliseconds: 30 s at 100 trades/s shared by the
        // symbols in the first run, and the second market opened 31 s after the first.
        Assert.Equal(StartMilliseconds + (3_000 / TestRegistries.BinanceOnly.ForExchange(Exchange.Binance).Count) - 1, lastOfFirstRun);
        Assert.Equal(StartMilliseconds + 31_000, second.GroundTruth.All.Min(t => t.TradeId));
    }

    [Fact]
    public async Task The_ground_truth_keeps_the_newest_trades_of_each_symbol_up_to_its_cap()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = 1_200, MaxTradesPerSymbol = 100 }, TestRegistries.BinanceOnly, time, null, ct);

        time.Advance(TimeSpan.FromSeconds(10)); // 1,000 trades per Binance symbol

        // A list is cut back to its cap whenever it passes the cap by more than a tenth: BTCUSDT's 1,000 trades were
        // cut to 100 at its 111th and then every 11 trades, leaving 100 + (1,000 - 111) % 11; all 12 symbols'
        // 12,000 trades were cut to 1,200 at the 1,321st and then every 121, leaving 1,200 + (12,000 - 1,321) % 121.
        var btc = simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT");
        Assert.Equal(109, btc.Count);
        Assert.Equal(StartMilliseconds + 999, btc[^1].TradeId);
        Assert.Equal(Enumerable.Range(0, btc.Count).Select(i => btc[0].TradeId + i), btc.Select(t => t.TradeId));
        Assert.Equal(12, TestRegistries.BinanceOnly.ForExchange(Exchange.Binance).Count);
        Assert.Equal(1_231, simulator.GroundTruth.Count);
    }

    private static async Task<IReadOnlyList<PrintedTrade>> PrintAsync(int seed, InstrumentRegistry registry, TimeSpan duration, CancellationToken cancellationToken)
    {
        var time = new ManualTimeProvider();
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { Seed = seed, TradesPerSecond = 100 }, registry, time, null, cancellationToken);
        time.Advance(duration);
        return simulator.GroundTruth.All;
    }
}

using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Ingest;
using K2.Grains.Instruments;
using K2.Grains.Tests.Support;
using K2.Storage.Candles;
using K2.Storage.Trades;
using K2.Storage.Writers;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Grains.Tests.Instruments;

/// <summary>An instrument's candles on the real hot store, without a grain: buckets with trades it has not seen are recomputed before they go on.</summary>
public sealed class InstrumentCandlesTests(EmbeddedClickHouseFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan SettleAfter = TimeSpan.FromSeconds(10);
    private static readonly Instrument Btc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);

    private GrainTestHost? _host;
    private UnixMicros _minute;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GrainTestHost Host => _host!;

    private BatchedTableWriter<Trade> Trades => Host.Services.GetRequiredService<BatchedTableWriter<Trade>>();

    public async ValueTask InitializeAsync()
    {
        var database = (await fixture.CreateDatabaseAsync(Ct)).Database;
        _host = await GrainTestHost.StartAsync(
            configureServices: services => services.AddTestHotStore(fixture, database).AddSingleton<IngestMetrics>(), cancellationToken: Ct);
        _minute = CandleBucket.Of(Timeframe.OneMinute, new UnixMicros(UnixMicros.Now(Host.Clock).Value - 120_000_000)).Start;
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>Trade <paramref name="id"/>, <paramref name="id"/> seconds into the minute two minutes ago.</summary>
    private Trade Make(long id)
    {
        var time = new UnixMicros(_minute.Value + (id * 1_000_000));
        return new Trade(Btc, TradeId.FromNumber(id), 87_000m + id, 0.5m, TradeSide.Buy, time, time);
    }

    private InstrumentCandles Candles(UnixMicros? storedThrough, TimeSpan? settleAfter = null, TimeSpan? storeReadLimit = null) => new(
        new CandleBook(Btc, storedThrough, TimeSpan.FromHours(6)),
        Trades,
        Host.Services.GetRequiredService<BatchedTableWriter<Candle>>(),
        Host.Services.GetRequiredService<CandleQueries>(),
        Host.Services.GetRequiredService<IngestMetrics>(),
        storeReadLimit ?? TimeSpan.FromSeconds(20),
        settleAfter,
        Host.Clock,
        Host.Logs.CreateLogger("test"));

    /// <summary>Moves the test's minute to the next one and the clock to its start, so its close and settle time are ahead.</summary>
    private void StartAtNextMinute()
    {
        _minute = CandleBucket.Of(Timeframe.OneMinute, new UnixMicros(UnixMicros.Now(Host.Clock).Value + 60_000_000)).Start;
        Host.Clock.Advance(Make(0).ExchangeTime - UnixMicros.Now(Host.Clock));
    }

    private async Task StoreTradesAsync(params long[] ids)
    {
        foreach (var id in ids)
        {
            await Trades.WriteAsync(Make(id), Ct);
        }
    }

    /// <summary>Passes trades on as the grain does: buckets loaded first, then the trade handed to the writer and added.</summary>
    private async Task PassOnAsync(InstrumentCandles candles, params long[] ids)
    {
        var trades = ids.Select(Make).ToList();
        await candles.LoadBucketsOfAsync(trades, _ => true, Ct);
        foreach (var trade in trades)
        {
            await Trades.WriteAsync(trade, Ct);
            candles.Add(trade);
        }
    }

    private async Task<StoredCandle> StoredMinuteAsync()
    {
        await Host.Services.GetRequiredService<BatchedTableWriter<Candle>>().WhenWrittenAsync(Ct);
        var stored = await Host.Services.GetRequiredService<CandleQueries>().GetAsync(
            Exchange.Binance, Btc.Symbol, Timeframe.OneMinute, _minute, new UnixMicros(_minute.Value + 60_000_000), 10, Ct);
        return stored.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_trade_for_a_bucket_stored_before_a_restart_continues_the_stored_trades()
    {
        await StoreTradesAsync(1, 2);
        var candles = Candles(storedThrough: Make(2).ExchangeTime);

        await PassOnAsync(candles, 3);
        await candles.WriteChangedAsync(waitForRoom: true, Ct);

        var minute = await StoredMinuteAsync();
        (minute.TradeCount, minute.Open, minute.Close).ShouldBe((3L, 8_700_100_000_000L, 8_700_300_000_000L), "prices in units of 1e-8");
    }

    [Fact]
    public async Task A_bucket_the_store_does_not_give_in_time_lets_its_trade_go_on_and_is_not_written_from_memory()
    {
        await StoreTradesAsync(1, 2);
        var candles = Candles(storedThrough: Make(2).ExchangeTime, storeReadLimit: TimeSpan.Zero); // no time to read the store

        await PassOnAsync(candles, 3); // taken: the bucket starts empty here, owed a rewrite
        await candles.WriteChangedAsync(waitForRoom: true, Ct);
        await candles.RewriteOwedAsync(Ct); // the store still gets no time: still owed
        await candles.WriteChangedAsync(waitForRoom: true, Ct);

        await Host.Services.GetRequiredService<BatchedTableWriter<Candle>>().WhenWrittenAsync(Ct);
        (await Host.Services.GetRequiredService<CandleQueries>().GetAsync(
            Exchange.Binance, Btc.Symbol, Timeframe.OneMinute, _minute, new UnixMicros(_minute.Value + 60_000_000), 10, Ct))
            .ShouldBeEmpty("a candle of trade 3 alone would hide trades 1 and 2");
        await Trades.WhenWrittenAsync(Ct);
        var stored = await Host.Services.GetRequiredService<TradeQueries>().GetLatestAsync(Exchange.Binance, Btc.Symbol, 10, Ct);
        stored.Select(t => t.TradeId).Order(StringComparer.Ordinal).ShouldBe(["1", "2", "3"]);
    }

    [Fact]
    public async Task Trades_another_writer_stored_in_a_bucket_held_in_memory_are_in_its_candle_once_rewritten()
    {
        var candles = Candles(storedThrough: null);
        await PassOnAsync(candles, 1, 2);
        await candles.WriteChangedAsync(waitForRoom: true, Ct);
        (await StoredMinuteAsync()).TradeCount.ShouldBe(2);

        await StoreTradesAsync(3, 4); // an operator's requested backfill
        await Trades.WhenWrittenAsync(Ct);
        await candles.RewriteHeldWithinAsync(Make(3).ExchangeTime, Make(5).ExchangeTime, Ct);
        await candles.WriteChangedAsync(waitForRoom: true, Ct);

        (await StoredMinuteAsync()).TradeCount.ShouldBe(4);
    }

    [Fact]
    public async Task A_closed_candle_rolled_from_a_view_the_store_does_not_share_is_settled_to_the_stored_trades()
    {
        var candles = Candles(storedThrough: null, SettleAfter);
        StartAtNextMinute();
        await PassOnAsync(candles, 1, 2);
        candles.Add(Make(3)); // rolled here, stored nowhere: a second activation's count, or one a frozen silo never stored
        await candles.WriteChangedAsync(waitForRoom: true, Ct);
        (await StoredMinuteAsync()).TradeCount.ShouldBe(3);

        Host.Clock.Advance(TimeSpan.FromSeconds(60) + SettleAfter - TimeSpan.FromMilliseconds(1));
        await candles.SettleClosedAsync(Ct);
        await candles.WriteChangedAsync(waitForRoom: true, Ct);
        (await StoredMinuteAsync()).TradeCount.ShouldBe(3, "settled before its time");

        Host.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await candles.SettleClosedAsync(Ct);
        await candles.WriteChangedAsync(waitForRoom: true, Ct);
        var settled = await StoredMinuteAsync();
        (settled.TradeCount, settled.Close).ShouldBe((2L, 8_700_200_000_000L), "prices in units of 1e-8");
    }
    [Fact]
    public async Task A_settled_candle_is_only_replaced_by_one_recomputed_from_the_store()
    {
        var candles = Candles(storedThrough: null, SettleAfter);
        StartAtNextMinute();
        await PassOnAsync(candles, 1, 2);
        await StoreTradesAsync(3); // stored by a second activation of the instrument
        Host.Clock.Advance(TimeSpan.FromSeconds(60) + SettleAfter);
        await candles.SettleClosedAsync(Ct);
        await candles.WriteChangedAsync(waitForRoom: true, Ct);
        var settled = await StoredMinuteAsync();
        settled.TradeCount.ShouldBe(3);

        // Trade 3 reaches this activation as new (a new shard owner catching up by REST): in memory it now counts twice.
        await PassOnAsync(candles, 3);
        await candles.WriteChangedAsync(waitForRoom: true, Ct);
        (await StoredMinuteAsync()).ShouldBe(settled, "a settled candle was written from memory");

        await candles.RewriteOwedAsync(Ct);
        await candles.WriteChangedAsync(waitForRoom: true, Ct);
        var rewritten = await StoredMinuteAsync();
        rewritten.TradeCount.ShouldBe(3);
        rewritten.Version.ShouldBeGreaterThan(settled.Version);
    }

    [Fact]
    public async Task A_candle_changed_before_its_settle_time_and_written_after_it_is_recomputed_instead()
    {
        var candles = Candles(storedThrough: null, SettleAfter);
        StartAtNextMinute();
        await PassOnAsync(candles, 1, 2);
        candles.Add(Make(3)); // rolled here, stored nowhere; then the silo froze before writing

        Host.Clock.Advance(TimeSpan.FromSeconds(60) + SettleAfter); // it wakes
        await candles.WriteChangedAsync(waitForRoom: true, Ct);
        await Host.Services.GetRequiredService<BatchedTableWriter<Candle>>().WhenWrittenAsync(Ct);
        (await Host.Services.GetRequiredService<CandleQueries>().GetAsync(
            Exchange.Binance, Btc.Symbol, Timeframe.OneMinute, _minute, new UnixMicros(_minute.Value + 60_000_000), 10, Ct)).ShouldBeEmpty();

        await candles.RewriteOwedAsync(Ct);
        await candles.WriteChangedAsync(waitForRoom: true, Ct);
        var minute = await StoredMinuteAsync();
        (minute.TradeCount, minute.Close).ShouldBe((2L, 8_700_200_000_000L), "prices in units of 1e-8");
    }
    [Fact]
    public async Task A_bucket_that_closed_before_this_activation_began_is_settled_though_no_trade_for_it_comes()
    {
        StartAtNextMinute();
        var before = Candles(storedThrough: null, SettleAfter);
        await PassOnAsync(before, 1, 2);
        before.Add(Make(3)); // a wrong view: counted, stored nowhere
        await before.WriteChangedAsync(waitForRoom: true, Ct);
        (await StoredMinuteAsync()).TradeCount.ShouldBe(3);

        // That activation's silo stops 5 s after the minute closed, before its settle time; a new one begins there.
        Host.Clock.Advance(TimeSpan.FromSeconds(65));
        var after = Candles(storedThrough: Make(2).ExchangeTime, SettleAfter);
        after.OweRecentlyClosed();
        after.SettleAllLater();
        await after.RewriteOwedAsync(Ct); // the grain's next watch
        await after.WriteChangedAsync(waitForRoom: true, Ct);
        (await StoredMinuteAsync()).TradeCount.ShouldBe(2, "rewritten from the store at activation");

        Host.Clock.Advance(SettleAfter);
        await after.SettleClosedAsync(Ct);
        await after.WriteChangedAsync(waitForRoom: true, Ct);
        var settled = await StoredMinuteAsync();
        (settled.TradeCount, settled.Close).ShouldBe((2L, 8_700_200_000_000L), "prices in units of 1e-8");
    }
}

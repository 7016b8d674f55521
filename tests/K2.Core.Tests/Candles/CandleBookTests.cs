using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Tests.Candles;

public sealed class CandleBookTests
{
    private static readonly Instrument Btc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 8, 8);
    private static readonly UnixMicros Midnight = UnixMicros.FromDateTimeOffset(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
    private static readonly UnixMicros Now = new(Midnight.Value + 86_400_000_000L);

    private static Trade T(long id, TimeSpan afterMidnight, decimal price = 100m) =>
        new(Btc, TradeId.FromNumber(id), price, 1m, TradeSide.Buy, At(afterMidnight), At(afterMidnight));

    private static UnixMicros At(TimeSpan afterMidnight) => new(Midnight.Value + (afterMidnight.Ticks / 10));

    private static HashSet<CandleBucket> BucketsToLoad(CandleBook book, Trade trade)
    {
        var buckets = new HashSet<CandleBucket>();
        book.CollectBucketsToLoad(trade, buckets);
        return buckets;
    }

    [Fact]
    public void A_trade_updates_one_candle_per_timeframe_and_empty_buckets_get_none()
    {
        var book = new CandleBook(Btc, storedThrough: null, TimeSpan.FromHours(1));
        book.Add(T(1, TimeSpan.FromMinutes(1)));
        book.Add(T(2, TimeSpan.FromMinutes(7)));

        var candles = book.TakeChanged(Now);

        candles.Count(c => c.Timeframe == Timeframe.OneMinute).ShouldBe(2, "minutes 1 and 7; minutes 2 to 6 had no trades");
        candles.Count(c => c.Timeframe == Timeframe.FiveMinutes).ShouldBe(2);
        candles.Single(c => c.Timeframe == Timeframe.OneDay).TradeCount.ShouldBe(2);
        candles.Select(c => c.Version).Distinct().ShouldBe([Now.Value]);
        book.TakeChanged(Now).ShouldBeEmpty("nothing changed since");
    }

    [Fact]
    public void Versions_always_increase_even_when_the_clock_does_not()
    {
        var book = new CandleBook(Btc, storedThrough: null, TimeSpan.FromHours(1));
        book.Add(T(1, TimeSpan.FromMinutes(1)));
        var first = book.TakeChanged(Now)[0].Version;
        book.Add(T(2, TimeSpan.FromMinutes(1)));
        var second = book.TakeChanged(new UnixMicros(Now.Value - 5_000_000))[0].Version;

        second.ShouldBe(first + 1);
    }

    [Fact]
    public void Buckets_up_to_the_newest_stored_trade_are_loaded_before_they_are_continued()
    {
        var storedThrough = At(TimeSpan.FromMinutes(10.5));
        var book = new CandleBook(Btc, storedThrough, TimeSpan.FromHours(1));
        var trade = T(7, TimeSpan.FromMinutes(10.75));

        var toLoad = BucketsToLoad(book, trade);

        toLoad.ShouldBe(Timeframes.All.Select(t => CandleBucket.Of(t, trade.ExchangeTime)), ignoreOrder: true);
        Should.Throw<InvalidOperationException>(() => book.Add(trade));

        foreach (var bucket in toLoad)
        {
            var copy = new CandleAggregate();
            copy.Add(T(6, TimeSpan.FromMinutes(10.25), price: 90m));
            book.Load(bucket, copy, storedVersion: Now.Value + 1_000);
        }

        book.Add(trade);
        var candles = book.TakeChanged(Now);
        candles.ShouldAllBe(c => c.TradeCount == 2 && c.Open == CandleAmounts.ToUnits(90m) && c.Close == CandleAmounts.ToUnits(100m));
        candles.ShouldAllBe(c => c.Version == Now.Value + 1_001, "above the stored version, though the clock is behind it");
        BucketsToLoad(book, T(8, TimeSpan.FromMinutes(11))).ShouldBeEmpty("minute 11 starts after the newest stored trade; its other buckets are in memory");
        BucketsToLoad(book, T(5, TimeSpan.FromMinutes(9))).ShouldBe(
            [CandleBucket.Of(Timeframe.OneMinute, At(TimeSpan.FromMinutes(9))), CandleBucket.Of(Timeframe.FiveMinutes, At(TimeSpan.FromMinutes(5)))],
            ignoreOrder: true, "minute 9 and minutes 5 to 10 may hold stored trades");
    }

    [Fact]
    public void A_bucket_that_fell_out_of_memory_is_loaded_again_for_a_late_trade()
    {
        var book = new CandleBook(Btc, storedThrough: null, TimeSpan.FromMinutes(30));
        book.Add(T(1, TimeSpan.FromMinutes(1)));
        book.TakeChanged(Now);
        book.Add(T(2, TimeSpan.FromHours(3)));
        book.TakeChanged(Now); // evicts what is more than 30 minutes (and two buckets) behind

        var late = T(3, TimeSpan.FromMinutes(1.5));
        var toLoad = BucketsToLoad(book, late);

        toLoad.ShouldContain(CandleBucket.Of(Timeframe.OneMinute, late.ExchangeTime));
        toLoad.ShouldContain(CandleBucket.Of(Timeframe.OneHour, late.ExchangeTime));
        toLoad.ShouldNotContain(CandleBucket.Of(Timeframe.OneDay, late.ExchangeTime), "two buckets of every timeframe stay");
        BucketsToLoad(book, T(4, TimeSpan.FromHours(2.9))).ShouldBeEmpty("within the window; and an empty bucket newer than every evicted one needs nothing");
    }

    [Fact]
    public void A_late_trade_within_the_window_corrects_its_candles_at_once()
    {
        var book = new CandleBook(Btc, storedThrough: null, TimeSpan.FromHours(6));
        book.Add(T(10, TimeSpan.FromMinutes(5), price: 100m));
        book.TakeChanged(Now);
        book.Add(T(11, TimeSpan.FromMinutes(50), price: 120m));
        book.TakeChanged(Now);

        var late = T(9, TimeSpan.FromMinutes(4), price: 80m);
        BucketsToLoad(book, late).ShouldBeEmpty();
        book.Add(late);
        var corrected = book.TakeChanged(new UnixMicros(Now.Value + 1));

        corrected.Single(c => c.Timeframe == Timeframe.OneHour).Open.ShouldBe(CandleAmounts.ToUnits(80m));
        corrected.Single(c => c.Timeframe == Timeframe.OneHour).TradeCount.ShouldBe(3);
        corrected.ShouldNotContain(c => c.Timeframe == Timeframe.OneMinute && c.BucketStart == At(TimeSpan.FromMinutes(50)), "unchanged candles are not rewritten");
    }
}

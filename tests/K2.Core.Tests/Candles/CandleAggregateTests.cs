using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Tests.Candles;

public sealed class CandleAggregateTests
{
    private static readonly Instrument Btc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 8, 8);

    private static Trade T(long id, long micros, decimal price, decimal quantity, TradeSide side = TradeSide.Buy) =>
        new(Btc, TradeId.FromNumber(id), price, quantity, side, new UnixMicros(micros), new UnixMicros(micros));

    [Fact]
    public void Open_and_close_follow_exchange_time_then_id_not_arrival()
    {
        var aggregate = new CandleAggregate();
        aggregate.Add(T(5, 2_000, 105m, 1m));
        aggregate.Add(T(3, 1_000, 103m, 1m));
        aggregate.Add(T(9, 2_000, 109m, 1m)); // same time as 5, higher id: later
        aggregate.Add(T(4, 1_000, 99m, 1m));  // same time as 3, higher id: not the open

        aggregate.Open.ShouldBe(CandleAmounts.ToUnits(103m));
        aggregate.Close.ShouldBe(CandleAmounts.ToUnits(109m));
        aggregate.High.ShouldBe(CandleAmounts.ToUnits(109m));
        aggregate.Low.ShouldBe(CandleAmounts.ToUnits(99m));
        aggregate.TradeCount.ShouldBe(4);
    }

    [Fact]
    public void Sums_are_exact_and_vwap_is_truncated_at_sixteen_decimals()
    {
        var aggregate = new CandleAggregate();
        aggregate.Add(T(1, 1, 0.00000001m, 9_999_999_999.99999999m, TradeSide.Sell));
        aggregate.Add(T(2, 2, 9_999_999_999.99999999m, 9_999_999_999.99999999m));
        aggregate.Add(T(3, 3, 1m, 0.00000002m));

        const long Max = 999_999_999_999_999_999; // 9,999,999,999.99999999 in units of 10^-8
        aggregate.Volume.ShouldBe((Int128)Max * 2 + 2);
        CandleAmounts.ToDecimal(aggregate.BuyVolume, 8).ShouldBe(9_999_999_999.99999999m + 0.00000002m);
        CandleAmounts.ToDecimal(aggregate.SellVolume, 8).ShouldBe(9_999_999_999.99999999m);
        // price × quantity summed in 10^-16 units: beyond 64 bits, exact in 128.
        aggregate.QuoteVolume.ShouldBe((Int128)1 * Max + (Int128)Max * Max + (Int128)100_000_000 * 2);
        // Scaling the quote volume for the division needs more than 128 bits.
        aggregate.Vwap.ShouldBe((Int128)((BigInteger)aggregate.QuoteVolume * 100_000_000 / (BigInteger)aggregate.Volume));
        CandleAmounts.Vwap(10 * (Int128)10_000_000_000_000_000, 3 * 100_000_000).ShouldBe(3_3333333333333333);
    }

    [Fact]
    public void Any_arrival_order_gives_the_same_candle()
    {
        var trades = Gen.ListOf(
                from time in Gen.Choose(0, 20)
                from price in Gen.Choose(1, 1_000)
                from quantity in Gen.Choose(1, 1_000)
                from buy in Gen.Elements(true, false)
                select (time, price, quantity, buy), 12)
            .Select(list => list.Select((t, i) => T(i + 1, t.time, t.price / 100m, t.quantity / 1_000m, t.buy ? TradeSide.Buy : TradeSide.Sell)).ToArray());
        Prop.ForAll(trades.ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (list, seed) =>
        {
            var inOrder = new CandleAggregate();
            foreach (var trade in list.OrderBy(t => TradeOrder.Of(t)))
            {
                inOrder.Add(trade);
            }

            var shuffled = list.ToArray();
            new Random(seed).Shuffle(shuffled);
            var anyOrder = new CandleAggregate();
            foreach (var trade in shuffled)
            {
                anyOrder.Add(trade);
            }

            var first = list.OrderBy(t => TradeOrder.Of(t)).First();
            return anyOrder.Open == inOrder.Open && anyOrder.Close == inOrder.Close && anyOrder.High == inOrder.High
                && anyOrder.Low == inOrder.Low && anyOrder.QuoteVolume == inOrder.QuoteVolume && anyOrder.TradeCount == list.Length
                && inOrder.Open == CandleAmounts.ToUnits(first.Price);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Text_ids_order_by_length_then_characters_as_sql_does()
    {
        var time = new UnixMicros(1);
        new TradeOrder(time, TradeId.FromNumber(99)).ShouldBeLessThan(new TradeOrder(time, TradeId.FromNumber(100)));
        new TradeOrder(time, TradeId.FromText("zz")).ShouldBeLessThan(new TradeOrder(time, TradeId.FromText("aaa")));
        new TradeOrder(time, TradeId.FromNumber(123)).ShouldBeLessThan(new TradeOrder(time, TradeId.FromText("0124")));
        new TradeOrder(time, TradeId.FromText("b")).ShouldBeGreaterThan(new TradeOrder(new UnixMicros(0), TradeId.FromText("c")));
    }

    [Fact]
    public void A_recomputed_aggregate_continues_exactly_like_one_that_saw_every_trade()
    {
        var all = new CandleAggregate();
        var early = new CandleAggregate();
        Trade[] before = [T(1, 10, 50m, 1m), T(2, 20, 70m, 2m, TradeSide.Sell)];
        foreach (var trade in before)
        {
            all.Add(trade);
            early.Add(trade);
        }

        var continued = CandleAggregate.FromStored(
            early.Open, early.High, early.Low, early.Close, early.First, early.Last,
            early.Volume, early.QuoteVolume, early.BuyVolume, early.SellVolume, early.TradeCount);
        var late = T(3, 5, 40m, 1m); // older than both: the new open
        all.Add(late);
        continued.Add(late);

        continued.Open.ShouldBe(CandleAmounts.ToUnits(40m));
        (continued.Open, continued.High, continued.Low, continued.Close, continued.Volume, continued.QuoteVolume, continued.TradeCount)
            .ShouldBe((all.Open, all.High, all.Low, all.Close, all.Volume, all.QuoteVolume, all.TradeCount));
    }
}

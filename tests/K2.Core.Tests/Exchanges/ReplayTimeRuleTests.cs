using System.Text;
using K2.Core.Exchanges;
using K2.Core.Exchanges.Binance;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Exchanges.Kraken;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Testing;

namespace K2.Core.Tests.Exchanges;

/// <summary>
/// Every exchange's frame normalizer applies the exchange-time rule it is given: live ingest refuses a trade more than
/// 30 days older than its receipt; a replayed capture accepts any age but still refuses a time ahead of the clock.
/// </summary>
public sealed class ReplayTimeRuleTests
{
    private static readonly InstrumentRegistry Registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    /// <summary>2026-11-22T00:00:00Z: when the frames below are normalized.</summary>
    private static readonly UnixMicros Now = UnixMicros.FromMilliseconds(1_795_305_600_000);

    /// <summary>A trade printed 400 days before <see cref="Now"/> (2025-10-18T00:00:00Z), and one 10 minutes after it.</summary>
    private static readonly UnixMicros LongAgo = new(Now.Value - (400L * 86_400_000_000));
    private static readonly UnixMicros Ahead = new(Now.Value + (10L * 60_000_000));

    public static TheoryData<string> Exchanges => ["binance", "kraken", "coinbase"];

    private static (ITradeFrameNormalizer Normalizer, string Frame) Case(string exchange, ExchangeTimeRule rule, UnixMicros printed) => exchange switch
    {
        "binance" => (new BinanceFrameNormalizer(Registry, BinanceTimeUnit.Millisecond, rule),
            $$"""{"e":"trade","E":{{printed.Value / 1000}},"s":"BTCUSDT","t":12,"p":"87012.34","q":"0.5","T":{{printed.Value / 1000}},"m":true}"""),
        "kraken" => (new KrakenFrameNormalizer(Registry, rule),
            $$"""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":83744.3,"qty":0.5,"ord_type":"limit","trade_id":12,"timestamp":"{{printed}}"}]}"""),
        _ => (new CoinbaseFrameNormalizer(Registry, CoinbaseSideConvention.Taker, rule),
            $$"""{"channel":"market_trades","client_id":"","timestamp":"{{printed}}","sequence_num":9,"events":[{"type":"update","trades":[{"trade_id":"12","product_id":"BTC-USD","price":"68900.50","size":"0.5","side":"BUY","time":"{{printed}}"}]}]}"""),
    };

    private static (List<Trade> Trades, List<TradeRejection> Rejections) Normalize(string exchange, ExchangeTimeRule rule, UnixMicros printed)
    {
        var (normalizer, frame) = Case(exchange, rule, printed);
        List<Trade> trades = [];
        List<TradeRejection> rejections = [];
        normalizer.Normalize(Encoding.UTF8.GetBytes(frame), Now, trades, rejections);
        return (trades, rejections);
    }

    [Theory]
    [MemberData(nameof(Exchanges))]
    public void Live_ingest_refuses_a_trade_older_than_30_days(string exchange)
    {
        var (trades, rejections) = Normalize(exchange, ExchangeTimeRule.Live, LongAgo);

        trades.ShouldBeEmpty();
        var rejection = rejections.ShouldHaveSingleItem();
        rejection.Reason.ShouldBe(TradeRejectReason.InvalidTimestamp);
        rejection.Detail.ShouldBe($"exchange time {LongAgo} is more than 30 days before receipt at {Now}");
    }

    [Theory]
    [MemberData(nameof(Exchanges))]
    public void A_replayed_capture_keeps_a_trade_of_any_age(string exchange)
    {
        var (trades, rejections) = Normalize(exchange, ExchangeTimeRule.Replay, LongAgo);

        rejections.ShouldBeEmpty();
        var trade = trades.ShouldHaveSingleItem();
        trade.ExchangeTime.ShouldBe(LongAgo);
        trade.TradeId.ToString().ShouldBe("12");
    }

    [Theory]
    [MemberData(nameof(Exchanges))]
    public void A_replayed_capture_still_refuses_a_time_ahead_of_the_clock(string exchange)
    {
        var (trades, rejections) = Normalize(exchange, ExchangeTimeRule.Replay, Ahead);

        trades.ShouldBeEmpty();
        rejections.ShouldHaveSingleItem().Detail.ShouldBe($"exchange time {Ahead} is more than 5 minutes after receipt at {Now}");
    }
}

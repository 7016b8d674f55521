using System.Text;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Tests.Exchanges.Coinbase;

public sealed class CoinbaseRestTradesParserTests
{
    private static readonly UnixMicros ReceivedAt = new(1_795_342_500_600_000);

    private readonly List<Trade> _trades = [];
    private readonly List<TradeRejection> _rejections = [];

    private bool Parse(byte[] body, Instrument instrument, CoinbaseSideConvention sides = CoinbaseSideConvention.Taker, UnixMicros? receivedAt = null) =>
        CoinbaseRestTradesParser.TryParse(body, instrument, sides, receivedAt ?? ReceivedAt, _trades, _rejections);

    private bool Parse(string body, Instrument instrument) => Parse(Encoding.UTF8.GetBytes(body), instrument);

    [Theory]
    [InlineData(CoinbaseSideConvention.Taker, TradeSide.Sell, TradeSide.Buy)]
    [InlineData(CoinbaseSideConvention.Maker, TradeSide.Buy, TradeSide.Sell)]
    public void A_ticker_page_yields_its_trades_newest_first_exactly(CoinbaseSideConvention sides, TradeSide sellSide, TradeSide buySide)
    {
        Parse(CoinbaseFixtures.Load("http_ticker_btc_usd.json"), CoinbaseFixtures.BtcUsd, sides).ShouldBeTrue();

        _rejections.ShouldBeEmpty();
        _trades.ShouldBe(
        [
            new Trade(CoinbaseFixtures.BtcUsd, TradeId.FromNumber(995_098_704), 68899.99m, 1.00000000m, sellSide, new UnixMicros(1_795_342_500_300_000), ReceivedAt),
            new Trade(CoinbaseFixtures.BtcUsd, TradeId.FromNumber(995_098_703), 68901.26m, 0.20000000m, buySide, new UnixMicros(1_795_342_500_251_001), ReceivedAt),
            new Trade(CoinbaseFixtures.BtcUsd, TradeId.FromNumber(995_098_702), 68901.25m, 0.01000000m, buySide, new UnixMicros(1_795_342_500_251_000), ReceivedAt),
        ]);
    }

    [Fact]
    public void The_docs_sample_with_an_empty_side_is_read_but_its_trade_is_rejected_not_guessed()
    {
        var receivedAt = new UnixMicros(1_622_455_199_000_000 + 1_000_000);

        Parse(CoinbaseFixtures.Load("http_ticker.json"), CoinbaseFixtures.BtcUsd, receivedAt: receivedAt).ShouldBeTrue();

        _trades.ShouldBeEmpty();
        _rejections.ShouldBe([new TradeRejection(
            TradeRejectReason.InvalidField, "'side' is empty: the taker side cannot be known", "BTC-USD", "34b080bf-fcfd-445a-832b-46b5ddc65601")]);
    }

    [Fact]
    public void The_docs_sample_with_a_side_filled_in_is_a_text_id_trade()
    {
        var body = Encoding.UTF8.GetString(CoinbaseFixtures.Load("http_ticker.json")).Replace("\"side\": \"\"", "\"side\": \"SELL\"", StringComparison.Ordinal);
        var receivedAt = new UnixMicros(1_622_455_199_000_000 + 1_000_000);

        Parse(Encoding.UTF8.GetBytes(body), CoinbaseFixtures.BtcUsd, receivedAt: receivedAt).ShouldBeTrue();

        _trades.ShouldBe([new Trade(
            CoinbaseFixtures.BtcUsd, TradeId.FromText("34b080bf-fcfd-445a-832b-46b5ddc65601"), 140.91m, 4m, TradeSide.Sell,
            new UnixMicros(1_622_455_199_000_000), receivedAt)]);
    }

    [Fact]
    public void An_empty_page_is_a_page()
    {
        Parse("""{"trades":[],"best_bid":"","best_ask":""}""", CoinbaseFixtures.BtcUsd).ShouldBeTrue();
        _trades.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"error":"NOT_FOUND","error_details":"product not found","message":"product not found"}""")]
    [InlineData("""{"message":"Too many requests"}""")]
    [InlineData("""{"trades":{}}""")]
    [InlineData("""[]""")]
    [InlineData("")]
    [InlineData("""{"trades":[{"trade_id":"1","product_id":"BTC-USD","price":"1.00","size":"1","time":"2026-11-22T10:15:00Z","side":"BUY"}]""")]
    [InlineData("""{"trades":[]} {}""")]
    public void A_body_that_is_not_a_page_appends_nothing(string body)
    {
        Parse(body, CoinbaseFixtures.BtcUsd).ShouldBeFalse();
        _trades.ShouldBeEmpty();
        _rejections.ShouldBeEmpty();
    }

    [Fact]
    public void Every_truncation_of_a_page_appends_nothing()
    {
        var body = CoinbaseFixtures.Load("http_ticker_btc_usd.json");
        for (var length = 0; length < body.Length; length++)
        {
            Parse(body[..length], CoinbaseFixtures.BtcUsd).ShouldBeFalse($"truncated to {length}");
            _trades.ShouldBeEmpty();
            _rejections.ShouldBeEmpty();
        }
    }

    [Fact]
    public void A_trade_of_another_product_is_rejected_rather_than_filed_under_the_request_s()
    {
        Parse("""{"trades":[{"trade_id":"7","product_id":"ETH-USD","price":"3000.00","size":"1","time":"2026-11-22T10:15:00Z","side":"BUY"}]}""",
            CoinbaseFixtures.BtcUsd).ShouldBeTrue();

        _trades.ShouldBeEmpty();
        _rejections.ShouldBe([new TradeRejection(TradeRejectReason.UnknownSymbol, "product 'ETH-USD' in a response for 'BTC-USD'", "ETH-USD", "7")]);
    }

    [Fact]
    public void A_trade_without_a_product_is_the_request_s_and_USD_data_belongs_to_a_USDC_instrument()
    {
        Parse("""{"trades":[{"trade_id":"7","price":"30.00","size":"1","time":"2026-11-22T10:15:00Z","side":"BUY"},{"trade_id":"8","product_id":"AVAX-USD","price":"30.01","size":"1","time":"2026-11-22T10:15:00Z","side":"SELL"}]}""",
            CoinbaseFixtures.AvaxUsdc).ShouldBeTrue();

        _rejections.ShouldBeEmpty();
        _trades.Select(t => (t.Instrument, t.TradeId.Number)).ShouldBe([(CoinbaseFixtures.AvaxUsdc, 7L), (CoinbaseFixtures.AvaxUsdc, 8L)]);
    }

    [Fact]
    public void A_bad_trade_rejects_only_itself_naming_the_request_s_symbol_when_it_has_none()
    {
        Parse("""{"trades":[{"trade_id":"7","price":"x","size":"1","time":"2026-11-22T10:15:00Z","side":"BUY"},3,{"trade_id":"8","price":"30.01","size":"1","time":"2026-11-22T10:15:00Z","side":"SELL"}]}""",
            CoinbaseFixtures.BtcUsd).ShouldBeTrue();

        _trades.ShouldHaveSingleItem().TradeId.ShouldBe(TradeId.FromNumber(8));
        _rejections.ShouldBe(
        [
            new TradeRejection(TradeRejectReason.InvalidField, "'price' must be a decimal string", "BTC-USD", "7"),
            new TradeRejection(TradeRejectReason.InvalidField, "a trade is not an object", "BTC-USD"),
        ]);
    }
}

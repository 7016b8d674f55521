using System.Globalization;
using System.Text;
using K2.Core.Exchanges.Kraken;
using K2.Core.Trades;
using static K2.Core.Tests.Exchanges.Kraken.KrakenFixtures;

namespace K2.Core.Tests.Exchanges.Kraken;

public sealed class KrakenRestTradesParserTests
{
    /// <summary>When the docs' page was fetched: the time its <c>last</c> cursor names.</summary>
    private static readonly UnixMicros DocsReceivedAt = new(1_688_671_969_993_150);

    private readonly List<Trade> _trades = [];
    private readonly List<TradeRejection> _rejections = [];

    private KrakenRestTradesPage Parse(byte[] body) => KrakenRestTradesParser.Parse(body, BtcUsd, DocsReceivedAt, _trades, _rejections);

    private KrakenRestTradesPage Parse(string body) => Parse(Encoding.UTF8.GetBytes(body));

    private static string Page(params string[] rows) =>
        $$$"""{"error":[],"result":{"XXBTZUSD":[{{{string.Join(",", rows)}}}],"last":"1688671969993150842"}}""";

    private const string GoodRow = """["30243.40000","0.34507674",1688669597.8277369,"b","m","",61044952]""";

    [Fact]
    public void The_docs_response_normalizes_to_its_three_trades_exactly()
    {
        var page = Parse(Load("http_trades.json"));

        page.Outcome.ShouldBe(KrakenRestOutcome.Trades, page.Detail);
        page.Last.ShouldBe("1688671969993150842");
        page.LastNanoseconds.ShouldBe(1_688_671_969_993_150_842L);
        page.Errors.ShouldBeEmpty();
        page.TradeCount.ShouldBe(3);
        page.RejectedCount.ShouldBe(0);
        _trades.ShouldBe(
        [
            // 1688669597.8277369 s: the seventh decimal is below the microsecond and is truncated.
            new Trade(BtcUsd, TradeId.FromNumber(61044952), 30243.40000m, 0.34507674m, TradeSide.Buy, new UnixMicros(1_688_669_597_827_736), DocsReceivedAt),
            new Trade(BtcUsd, TradeId.FromNumber(61044953), 30243.30000m, 0.00376960m, TradeSide.Sell, new UnixMicros(1_688_669_598_280_411), DocsReceivedAt),
            new Trade(BtcUsd, TradeId.FromNumber(61044956), 30243.30000m, 0.01235716m, TradeSide.Sell, new UnixMicros(1_688_669_602_698_379), DocsReceivedAt),
        ]);
        _trades[0].Price.ToString(CultureInfo.InvariantCulture).ShouldBe("30243.40000");
        _trades[1].Quantity.ToString(CultureInfo.InvariantCulture).ShouldBe("0.00376960");
    }

    [Fact]
    public void Throttling_is_told_apart_from_other_errors()
    {
        var throttled = Parse(Load("http_trades_throttled.json"));
        var unknown = Parse(Load("http_trades_unknown_pair.json"));
        var other = Parse("""{"error":["EService:Unavailable"],"result":{}}""");

        throttled.Outcome.ShouldBe(KrakenRestOutcome.Throttled);
        throttled.Errors.ShouldBe(["EGeneral:Too many requests"]);
        unknown.Outcome.ShouldBe(KrakenRestOutcome.UnknownPair);
        other.Outcome.ShouldBe(KrakenRestOutcome.Error);
        other.Detail.ShouldBe("EService:Unavailable");
        throttled.Last.ShouldBeNull();
        _trades.ShouldBeEmpty();
        _rejections.ShouldBeEmpty();
    }

    [Fact]
    public void Warnings_do_not_stop_a_page()
    {
        var page = Parse($$$"""{"error":["WGeneral:Deprecated"],"result":{"XXBTZUSD":[{{{GoodRow}}}],"last":"1688671969993150842"}}""");

        page.Outcome.ShouldBe(KrakenRestOutcome.Trades);
        page.Errors.ShouldBe(["WGeneral:Deprecated"]);
        page.TradeCount.ShouldBe(1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("[]")]
    [InlineData("""{"error":[],"result":{"XXBTZUSD":[["30243.40000","0.34507674",1688669597.8277369,"b","m","",61044952],""")]
    [InlineData("""{"error":[],"result":{"XXBTZUSD":[]}}""")]
    [InlineData("""{"error":[]}""")]
    [InlineData("""{"error":"EGeneral:Too many requests"}""")]
    public void A_body_that_is_not_a_whole_envelope_adds_nothing(string body)
    {
        _trades.Add(default);

        var page = Parse(body);

        page.Outcome.ShouldBe(KrakenRestOutcome.Malformed);
        page.Detail.ShouldNotBeNullOrEmpty();
        _trades.ShouldBe([default]);
        _rejections.ShouldBeEmpty();
    }

    [Fact]
    public void A_bad_row_rejects_only_itself_keeping_its_id()
    {
        var page = Parse(Page(
            GoodRow,
            """["30243.40000","0.00000000",1688669598.1,"s","l","",61044953]""",
            """["30243.40000","0.1",1688669598.2,"x","l","",61044954]""",
            """[30243.4,"0.1",1688669598.3,"b","l","",61044955]""",
            """["30243.40000","0.1","1688669598.4","b","l","",61044956]""",
            """["30243.40000","0.1",1688669598.5,"b","l",""]""",
            """{"price":"1"}""",
            """["30243.40000","0.1",1688669598.6,"b","l","",-3]""",
            """["30243.40000","0.1",1688669598.7,"s","l","",61044957,"extra"]"""));

        page.Outcome.ShouldBe(KrakenRestOutcome.Trades);
        _trades.Select(t => t.TradeId.Number).ShouldBe([61044952L, 61044957L]);
        _rejections.Select(r => (r.Reason, r.RawTradeId)).ShouldBe(
        [
            (TradeRejectReason.InvalidQuantity, "61044953"),
            (TradeRejectReason.InvalidField, "61044954"),
            (TradeRejectReason.InvalidField, "61044955"),
            (TradeRejectReason.InvalidTimestamp, "61044956"),
            (TradeRejectReason.MissingField, null),
            (TradeRejectReason.InvalidField, null),
            (TradeRejectReason.InvalidTradeId, "-3"),
        ]);
        _rejections.ShouldAllBe(r => r.RawSymbol == "BTC/USD");
        _rejections[4].Detail.ShouldContain("missing trade id");
        page.RejectedCount.ShouldBe(7);
    }

    [Fact]
    public void Rows_under_another_pair_are_not_attributed_to_the_instrument()
    {
        var page = Parse($$$"""{"error":[],"result":{"XETHZUSD":[{{{GoodRow}}}],"last":"1"}}""");

        page.Outcome.ShouldBe(KrakenRestOutcome.Trades);
        _trades.ShouldBeEmpty();
        var rejection = _rejections.ShouldHaveSingleItem();
        rejection.Reason.ShouldBe(TradeRejectReason.UnknownSymbol);
        rejection.RawSymbol.ShouldBe("XETHZUSD");
    }

    [Theory]
    [InlineData("XXBTZUSD")]
    [InlineData("XBTUSD")]
    [InlineData("BTC/USD")]
    public void Each_spelling_Kraken_answers_under_is_the_instrument(string key)
    {
        var page = Parse($$$"""{"error":[],"result":{"{{{key}}}":[{{{GoodRow}}}],"last":1688671969993150842}}""");

        page.TradeCount.ShouldBe(1);
        page.Last.ShouldBe("1688671969993150842");
    }

    [Fact]
    public void An_old_trade_is_refused_by_the_validator()
    {
        var page = KrakenRestTradesParser.Parse(Encoding.UTF8.GetBytes(Page(GoodRow)), BtcUsd, new UnixMicros(DocsReceivedAt.Value + (40L * 86_400_000_000)), _trades, _rejections);

        page.RejectedCount.ShouldBe(1);
        _rejections[0].Reason.ShouldBe(TradeRejectReason.InvalidTimestamp);
    }
}

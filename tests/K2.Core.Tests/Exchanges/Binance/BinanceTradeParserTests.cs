using System.Text;
using K2.Core.Exchanges.Binance;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Tests.Exchanges.Binance;

public sealed class BinanceTradeParserTests
{
    internal static readonly Instrument BtcUsdt = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);
    internal static readonly Instrument EthUsdt = new(Exchange.Binance, "ETH-USDT", "ETHUSDT", "ETH", "USDT", 2, 4);

    /// <summary>The docs sample trades BNBBTC, which K2 does not list; the tests list it so the sample parses as is.</summary>
    internal static readonly Instrument BnbBtc = new(Exchange.Binance, "BNB-BTC", "BNBBTC", "BNB", "BTC", 6, 3);

    /// <summary>Listed on Coinbase only: a Binance frame naming it must not find it.</summary>
    internal static readonly Instrument CoinbaseBtcUsd = new(Exchange.Coinbase, "BTC-USD", "BTC-USD", "BTC", "USD", 2, 8);

    internal static readonly InstrumentRegistry Registry = new([BtcUsdt, EthUsdt, BnbBtc, CoinbaseBtcUsd]);

    /// <summary>Trade time of <see cref="TradeFrame"/>, in milliseconds.</summary>
    private const long TradeTimeMs = 1_763_769_600_120;

    private static readonly UnixMicros ReceivedAt = UnixMicros.FromMilliseconds(TradeTimeMs + 5);

    private static BinanceFrame Parse(byte[] frame, UnixMicros receivedAt, BinanceTimeUnit unit = BinanceTimeUnit.Millisecond) =>
        BinanceTradeParser.Parse(frame, receivedAt, unit, Registry);

    private static BinanceFrame Parse(string frame, BinanceTimeUnit unit = BinanceTimeUnit.Millisecond) =>
        Parse(Encoding.UTF8.GetBytes(frame), ReceivedAt, unit);

    /// <summary>
    /// A valid BTCUSDT trade frame with some fields replaced (raw JSON value) or removed (null), keeping field order.
    /// </summary>
    private static string TradeFrame(params (string Field, string? RawValue)[] changes)
    {
        (string Field, string Value)[] fields =
        [
            ("e", "\"trade\""), ("E", "1763769600123"), ("s", "\"BTCUSDT\""), ("t", "5372812345"), ("p", "\"87012.34000000\""),
            ("q", "\"0.00125000\""), ("T", TradeTimeMs.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("m", "false"), ("M", "true"),
        ];
        var kept = fields
            .Select(f => changes.FirstOrDefault(c => c.Field == f.Field) is { Field: not null } c ? (f.Field, c.RawValue) : (f.Field, (string?)f.Value))
            .Where(f => f.Item2 is not null)
            .Select(f => $"\"{f.Field}\":{f.Item2}");
        return "{" + string.Join(",", kept) + "}";
    }

    private static void ShouldBeRejected(BinanceFrame frame, string reasonFragment)
    {
        frame.Kind.ShouldBe(BinanceFrameKind.Rejected, frame.Detail);
        frame.Detail.ShouldNotBeNull().ShouldContain(reasonFragment, Case.Sensitive);
        frame.Trade.ShouldBe(default);
    }

    [Fact]
    public void The_docs_trade_payload_parses_into_a_trade_with_the_seller_as_taker()
    {
        var frame = BinanceFixtures.Load("ws_trade.json");
        var receivedAt = UnixMicros.FromMilliseconds(1_672_515_782_136 + 40);

        var parsed = Parse(frame, receivedAt);

        parsed.Kind.ShouldBe(BinanceFrameKind.Trade, parsed.Detail);
        parsed.Detail.ShouldBeNull();
        parsed.Trade.Instrument.ShouldBeSameAs(BnbBtc);
        parsed.Trade.Exchange.ShouldBe(Exchange.Binance);
        parsed.Trade.Symbol.ShouldBe("BNB-BTC");
        parsed.Trade.TradeId.ShouldBe(TradeId.FromNumber(12345));
        parsed.Trade.Price.ShouldBe(0.001m);
        parsed.Trade.Quantity.ShouldBe(100m);
        parsed.Trade.Side.ShouldBe(TradeSide.Sell); // "m": true, the buyer made the book: the seller took it
        parsed.Trade.ExchangeTime.ShouldBe(new UnixMicros(1_672_515_782_136_000));
        parsed.Trade.ReceiptTime.ShouldBe(receivedAt);
    }

    [Fact]
    public void The_older_payload_with_the_retired_order_ids_parses_the_same_way()
    {
        var frame = BinanceFixtures.Load("ws_trade_with_order_ids.json");
        Encoding.UTF8.GetString(frame).ShouldContain("\"b\": 88");
        var receivedAt = UnixMicros.FromMilliseconds(123_456_785 + 4);

        var parsed = Parse(frame, receivedAt);

        parsed.Kind.ShouldBe(BinanceFrameKind.Trade, parsed.Detail);
        parsed.Trade.ShouldBe(new Trade(BnbBtc, TradeId.FromNumber(12345), 0.001m, 100m, TradeSide.Sell, new UnixMicros(123_456_785_000), receivedAt));
    }

    [Fact]
    public void Order_id_fields_make_no_difference_to_the_parsed_trade()
    {
        var without = Parse(TradeFrame());
        var with = Parse(TradeFrame(("M", "true,\"b\":88,\"a\":50"))); // appended after "M"

        without.Kind.ShouldBe(BinanceFrameKind.Trade, without.Detail);
        with.ShouldBe(without);
    }

    [Fact]
    public void A_buyer_taker_trade_keeps_the_exchange_decimals_exactly()
    {
        var receivedAt = UnixMicros.FromMilliseconds(1_763_769_600_123);

        var parsed = Parse(BinanceFixtures.Load("ws_trade_btcusdt.json"), receivedAt);

        parsed.Kind.ShouldBe(BinanceFrameKind.Trade, parsed.Detail);
        parsed.Trade.Instrument.ShouldBeSameAs(BtcUsdt);
        parsed.Trade.TradeId.ShouldBe(TradeId.FromNumber(5_372_812_345));
        parsed.Trade.Side.ShouldBe(TradeSide.Buy); // "m": false
        parsed.Trade.Price.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("87012.34000000");
        parsed.Trade.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("0.00125000");
        parsed.Trade.ExchangeTime.ShouldBe(new UnixMicros(1_763_769_600_120_000));
    }

    [Fact]
    public void A_combined_stream_frame_is_unwrapped()
    {
        var receivedAt = UnixMicros.FromMilliseconds(1_763_769_600_130);

        var parsed = Parse(BinanceFixtures.Load("ws_trade_combined.json"), receivedAt);

        parsed.Kind.ShouldBe(BinanceFrameKind.Trade, parsed.Detail);
        parsed.Trade.ShouldBe(new Trade(
            BtcUsdt, TradeId.FromNumber(5_372_812_346), 87012.33m, 0.5m, TradeSide.Sell, new UnixMicros(1_763_769_600_121_000), receivedAt));
    }

    [Fact]
    public void A_microsecond_connection_reads_trade_time_as_microseconds()
    {
        var receivedAt = new UnixMicros(1_763_769_600_123_999);

        var parsed = Parse(BinanceFixtures.Load("ws_trade_combined_microseconds.json"), receivedAt, BinanceTimeUnit.Microsecond);

        parsed.Kind.ShouldBe(BinanceFrameKind.Trade, parsed.Detail);
        parsed.Trade.Instrument.ShouldBeSameAs(EthUsdt);
        parsed.Trade.ExchangeTime.ShouldBe(new UnixMicros(1_763_769_600_123_401));
        parsed.Trade.Side.ShouldBe(TradeSide.Buy);
    }

    [Fact]
    public void Microsecond_times_read_as_milliseconds_are_rejected_as_far_in_the_future()
    {
        var receivedAt = new UnixMicros(1_763_769_600_123_999);

        var parsed = Parse(BinanceFixtures.Load("ws_trade_combined_microseconds.json"), receivedAt, BinanceTimeUnit.Millisecond);

        ShouldBeRejected(parsed, "minutes after receipt");
    }

    [Fact]
    public void Millisecond_times_read_as_microseconds_are_rejected_as_far_in_the_past()
    {
        var parsed = Parse(TradeFrame(), BinanceTimeUnit.Microsecond);

        ShouldBeRejected(parsed, "days before receipt");
    }

    [Theory]
    [InlineData("ws_subscribe_result.json", 1)]
    [InlineData("ws_unsubscribe_result.json", 312)]
    [InlineData("ws_list_subscriptions_result.json", 3)]
    public void Request_answers_are_request_results_with_their_id(string fixture, long id)
    {
        var parsed = Parse(BinanceFixtures.Load(fixture), ReceivedAt);

        parsed.ShouldBe(new BinanceFrame(BinanceFrameKind.RequestResult, RequestId: id));
    }

    [Theory]
    [InlineData("ws_error_code.json", 0, "2: Invalid request: unknown variant %s, expected one of ...")]
    [InlineData("ws_error_invalid_json.json", 0, "3: Invalid JSON: ...")]
    [InlineData("ws_error_object.json", 7, "2: Invalid request: request ID must be an unsigned integer")]
    public void Error_answers_are_request_errors_with_code_and_message(string fixture, long id, string detail)
    {
        var parsed = Parse(BinanceFixtures.Load(fixture), ReceivedAt);

        parsed.Kind.ShouldBe(BinanceFrameKind.RequestError);
        parsed.RequestId.ShouldBe(id);
        parsed.Detail.ShouldBe(detail);
    }

    [Fact]
    public void An_error_with_code_message_and_id_keeps_the_id()
    {
        var parsed = Parse("""{"code":2,"msg":"Invalid request","id":42}""");

        parsed.ShouldBe(new BinanceFrame(BinanceFrameKind.RequestError, RequestId: 42, Detail: "2: Invalid request"));
    }

    [Theory]
    [InlineData("ws_server_shutdown.json")]
    [InlineData("ws_server_shutdown_combined.json")]
    public void Server_shutdown_is_recognised_raw_and_combined(string fixture)
    {
        var parsed = Parse(BinanceFixtures.Load(fixture), ReceivedAt);

        parsed.Kind.ShouldBe(BinanceFrameKind.ServerShutdown);
    }

    [Fact]
    public void Another_event_type_is_ignored_and_named()
    {
        var parsed = Parse(BinanceFixtures.Load("ws_agg_trade.json"), UnixMicros.FromMilliseconds(1_672_515_782_136));

        parsed.ShouldBe(new BinanceFrame(BinanceFrameKind.Ignored, Detail: "aggTrade"));
    }

    [Fact]
    public void An_aggregate_trade_inside_a_combined_frame_is_ignored_too()
    {
        var parsed = Parse("""{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1,"s":"BTCUSDT","a":1,"p":"1","q":"1","f":1,"l":1,"T":1,"m":true,"M":true}}""");

        parsed.ShouldBe(new BinanceFrame(BinanceFrameKind.Ignored, Detail: "aggTrade"));
    }

    [Fact]
    public void Escaped_property_names_and_event_type_mean_the_same_as_plain_ones()
    {
        var plain = Parse(TradeFrame());
        var escaped = Parse(TradeFrame().Replace("\"e\":\"trade\"", "\"\\u0065\":\"tr\\u0061de\"", StringComparison.Ordinal)
            .Replace("\"p\":", "\"\\u0070\":", StringComparison.Ordinal));

        plain.Kind.ShouldBe(BinanceFrameKind.Trade, plain.Detail);
        escaped.ShouldBe(plain);
    }

    [Fact]
    public void Field_names_are_case_sensitive()
    {
        // 't' is the trade id and 'T' the trade time; a frame with two 't' and no 'T' lacks the trade time.
        var parsed = Parse(TradeFrame(("T", null), ("M", "true,\"t\":5372812345")));

        ShouldBeRejected(parsed, "missing field 'T' (trade time)");
    }

    public static TheoryData<string, string> MalformedFrames => new()
    {
        { "", "malformed JSON" },
        { "   ", "malformed JSON" },
        { "[1,2]", "not a JSON object" },
        { "\"trade\"", "not a JSON object" },
        { "42", "not a JSON object" },
        { "null", "not a JSON object" },
        { "{\"e\":\"trade\",,\"s\":\"BTCUSDT\"}", "malformed JSON" },
        { "{\"e\":\"trade\" \"s\":\"BTCUSDT\"}", "malformed JSON" },
        { "{e:\"trade\"}", "malformed JSON" },
        { "{'e':'trade'}", "malformed JSON" },
        { "{\"e\":\"trade\",}", "malformed JSON" },
        { "{\"result\":null,\"id\":1} trailing", "malformed JSON" },
        { "{\"result\":null,\"id\":1}{\"result\":null,\"id\":2}", "malformed JSON" },
        { "{\"result\":null,\"id\":1}}", "malformed JSON" },
        { "{\"x\":" + new string('[', 40) + new string(']', 40) + "}", "malformed JSON" },
        { "{\"stream\":\"btcusdt@trade\",\"data\":[]}", "'data' is not an object" },
        { "{\"stream\":\"btcusdt@trade\",\"data\":\"x\"}", "'data' is not an object" },
    };

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public void Malformed_frames_are_rejected_with_a_reason(string frame, string reason)
    {
        ShouldBeRejected(Parse(frame), reason);
    }

    [Theory]
    [InlineData("ws_trade_btcusdt.json")]
    [InlineData("ws_trade_combined.json")]
    [InlineData("ws_subscribe_result.json")]
    [InlineData("ws_server_shutdown_combined.json")]
    public void Every_truncation_of_a_frame_is_rejected(string fixture)
    {
        var frame = BinanceFixtures.Load(fixture);

        for (var length = 0; length < frame.Length; length++)
        {
            var parsed = Parse(frame[..length], ReceivedAt);

            parsed.Kind.ShouldBe(BinanceFrameKind.Rejected, $"truncated to {length} bytes: {Encoding.UTF8.GetString(frame[..length])}");
        }
    }

    [Theory]
    [InlineData("s", "missing field 's' (symbol)")]
    [InlineData("t", "missing field 't' (trade id)")]
    [InlineData("p", "missing field 'p' (price)")]
    [InlineData("q", "missing field 'q' (quantity)")]
    [InlineData("T", "missing field 'T' (trade time)")]
    [InlineData("m", "missing field 'm' (buyer is maker)")]
    public void A_trade_missing_a_required_field_is_rejected_naming_it(string field, string reason)
    {
        ShouldBeRejected(Parse(TradeFrame((field, null))), reason);
    }

    [Theory]
    [InlineData("e", "1", "field 'e' (event type) must be a string")]
    [InlineData("s", "123", "field 's' (symbol) must be a short plain string")]
    [InlineData("s", "null", "field 's' (symbol) must be a short plain string")]
    [InlineData("s", "\"\"", "field 's' (symbol) must be a short plain string")]
    [InlineData("t", "\"5372812345\"", "field 't' must be an integer")]
    [InlineData("t", "5372812345.0", "field 't' must be an integer")]
    [InlineData("t", "5.372812345e9", "field 't' must be an integer")]
    [InlineData("t", "null", "field 't' must be an integer")]
    [InlineData("p", "87012.34", "field 'p' must be a decimal string")]
    [InlineData("p", "null", "field 'p' must be a decimal string")]
    [InlineData("q", "0.00125", "field 'q' must be a decimal string")]
    [InlineData("q", "[\"0.00125\"]", "field 'q' must be a decimal string")]
    [InlineData("T", "\"1763769600120\"", "field 'T' must be an integer")]
    [InlineData("T", "1763769600120.5", "field 'T' must be an integer")]
    [InlineData("m", "\"false\"", "field 'm' must be true or false")]
    [InlineData("m", "0", "field 'm' must be true or false")]
    [InlineData("m", "null", "field 'm' must be true or false")]
    public void A_field_of_the_wrong_type_is_rejected_naming_it(string field, string rawValue, string reason)
    {
        ShouldBeRejected(Parse(TradeFrame((field, rawValue))), reason);
    }

    [Theory]
    [InlineData("DOGEBTC")]
    [InlineData("btcusdt")] // stream names are lower case, payload symbols upper case
    [InlineData("BTC-USD")] // listed, but on Coinbase
    [InlineData("BTCUSDTX")]
    public void An_unknown_symbol_is_rejected_naming_it(string symbol)
    {
        ShouldBeRejected(Parse(TradeFrame(("s", $"\"{symbol}\""))), $"unknown symbol '{symbol}'");
    }

    [Fact]
    public void An_overlong_symbol_is_rejected()
    {
        ShouldBeRejected(Parse(TradeFrame(("s", $"\"{new string('A', 33)}\""))), "field 's' (symbol) must be a short plain string");
    }

    [Theory]
    [InlineData("p", "\"0\"", "price must be positive")]
    [InlineData("p", "\"0.00000000\"", "price must be positive")]
    [InlineData("p", "\"-87012.34\"", "field 'p' must be a decimal string")]
    [InlineData("q", "\"0\"", "quantity must be positive")]
    [InlineData("q", "\"-1\"", "field 'q' must be a decimal string")]
    public void Zero_or_negative_prices_and_quantities_are_rejected(string field, string rawValue, string reason)
    {
        ShouldBeRejected(Parse(TradeFrame((field, rawValue))), reason);
    }

    [Theory]
    [InlineData("p", "\"87012.123456789\"", "price has more than 8 significant decimal places")]
    [InlineData("p", "\"0.000000001\"", "price has more than 8 significant decimal places")]
    [InlineData("q", "\"0.000000015\"", "quantity has more than 8 significant decimal places")]
    [InlineData("p", "\"10000000000\"", "price exceeds 9999999999.99999999")]
    [InlineData("q", "\"99999999999.5\"", "quantity exceeds 9999999999.99999999")]
    public void Values_that_do_not_fit_the_stored_decimal_are_rejected(string field, string rawValue, string reason)
    {
        ShouldBeRejected(Parse(TradeFrame((field, rawValue))), reason);
    }

    [Fact]
    public void Trailing_zeros_beyond_eight_decimals_are_accepted_and_kept()
    {
        var parsed = Parse(TradeFrame(("p", "\"87012.340000000000\"")));

        parsed.Kind.ShouldBe(BinanceFrameKind.Trade, parsed.Detail);
        parsed.Trade.Price.ShouldBe(87012.34m);
    }

    [Theory]
    [InlineData("\"8.701234e4\"")]
    [InlineData("\"8.701234E4\"")]
    [InlineData("\"1e-3\"")]
    [InlineData("\"+87012.34\"")]
    [InlineData("\" 87012.34\"")]
    [InlineData("\"87012.34 \"")]
    [InlineData("\"87,012.34\"")]
    [InlineData("\"87012,34\"")]
    [InlineData("\"87012..34\"")]
    [InlineData("\"87.012.34\"")]
    [InlineData("\".\"")]
    [InlineData("\"\"")]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("\"0x1F\"")]
    public void Decimal_strings_with_signs_exponents_or_separators_are_rejected(string rawPrice)
    {
        ShouldBeRejected(Parse(TradeFrame(("p", rawPrice))), "field 'p' must be a decimal string");
    }

    [Theory]
    [InlineData("p", "\"87012\\u002e34\"", "field 'p' must be a decimal string")]
    [InlineData("q", "\"\\u0030.5\"", "field 'q' must be a decimal string")]
    [InlineData("s", "\"BTC\\u0055SDT\"", "field 's' (symbol) must be a short plain string")]
    public void Escaped_values_are_rejected_rather_than_guessed_at(string field, string rawValue, string reason)
    {
        ShouldBeRejected(Parse(TradeFrame((field, rawValue))), reason);
    }

    [Theory]
    [InlineData("t", "9223372036854775808", "field 't' must be an integer")]
    [InlineData("t", "99999999999999999999999999999999", "field 't' must be an integer")]
    [InlineData("t", "1e400", "field 't' must be an integer")]
    [InlineData("t", "-1", "trade id -1 is negative")]
    [InlineData("T", "9223372036854775808", "field 'T' must be an integer")]
    [InlineData("p", "\"79228162514264337593543950336\"", "field 'p' must be a decimal string")]
    [InlineData("q", "\"1234567890123456789012345678901\"", "field 'q' must be a decimal string")]
    [InlineData("p", "\"9.9999999999999999999999999999\"", "field 'p' must be a decimal string")]
    public void Huge_numbers_are_rejected(string field, string rawValue, string reason)
    {
        ShouldBeRejected(Parse(TradeFrame((field, rawValue))), reason);
    }

    [Fact]
    public void The_largest_trade_id_is_accepted()
    {
        var parsed = Parse(TradeFrame(("t", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        parsed.Kind.ShouldBe(BinanceFrameKind.Trade, parsed.Detail);
        parsed.Trade.TradeId.ShouldBe(TradeId.FromNumber(long.MaxValue));
    }

    [Theory]
    [InlineData(5 * 60 * 1000, BinanceFrameKind.Trade)] // exactly the allowed clock skew
    [InlineData((5 * 60 * 1000) + 1, BinanceFrameKind.Rejected)]
    [InlineData(-30L * 24 * 3600 * 1000, BinanceFrameKind.Trade)] // exactly the oldest accepted
    [InlineData((-30L * 24 * 3600 * 1000) - 1, BinanceFrameKind.Rejected)]
    public void Trade_time_is_accepted_up_to_the_skew_and_age_bounds(long offsetFromReceiptMs, BinanceFrameKind expected)
    {
        var receivedAt = UnixMicros.FromMilliseconds(TradeTimeMs);
        var frame = TradeFrame(("T", (TradeTimeMs + offsetFromReceiptMs).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var parsed = Parse(Encoding.UTF8.GetBytes(frame), receivedAt);

        parsed.Kind.ShouldBe(expected, parsed.Detail);
    }

    [Theory]
    [InlineData(9_223_372_036_854_775_807, BinanceTimeUnit.Millisecond, "outside the representable range")]
    [InlineData(9_223_372_036_854_776, BinanceTimeUnit.Millisecond, "outside the representable range")] // the first millisecond count whose microseconds overflow
    [InlineData(9_223_372_036_854_775, BinanceTimeUnit.Millisecond, "after receipt")] // the last one that fits
    [InlineData(99_999_999_999_999, BinanceTimeUnit.Millisecond, "after receipt")] // year 5138
    [InlineData(-9_223_372_036_854_775_808, BinanceTimeUnit.Millisecond, "outside the representable range")]
    [InlineData(-9_223_372_036_854_775, BinanceTimeUnit.Millisecond, "before receipt")]
    [InlineData(-1, BinanceTimeUnit.Millisecond, "before receipt")]
    [InlineData(0, BinanceTimeUnit.Millisecond, "before receipt")]
    [InlineData(9_223_372_036_854_775_807, BinanceTimeUnit.Microsecond, "after receipt")]
    [InlineData(1_000_000_000_000_000_000, BinanceTimeUnit.Microsecond, "after receipt")] // beyond year 9999
    [InlineData(-9_223_372_036_854_775_808, BinanceTimeUnit.Microsecond, "before receipt")]
    public void Times_far_in_the_future_or_past_are_rejected_without_throwing(long tradeTime, BinanceTimeUnit unit, string reason)
    {
        var frame = TradeFrame(("T", tradeTime.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        ShouldBeRejected(Parse(frame, unit), reason);
    }

    public static TheoryData<byte[]> BadTextFrames => new()
    {
        // Invalid UTF-8 and lone surrogates only fail when a string is decoded; they must still be rejections.
        Encoding.UTF8.GetBytes("{\"e\":\"\\uD800\",\"E\":1}"),
        Encoding.UTF8.GetBytes("{\"e\":\"x\\uDC00y\",\"E\":1}"),
        Encoding.UTF8.GetBytes("{\"code\":2,\"msg\":\"\\uD800\"}"),
        Encoding.UTF8.GetBytes("{\"error\":{\"code\":2,\"msg\":\"\\uDBFF\"},\"id\":1}"),
        Encoding.UTF8.GetBytes("{\"\\uD800\":1}"),
        Around("{\"e\":\"", [0xFF, 0xFE], "\",\"E\":1}"),
        Around("{\"code\":2,\"msg\":\"", [0xC3], "\"}"), // a lead byte without its continuation
        Around("{\"stream\":\"x\",\"data\":{\"e\":\"", [0xED, 0xA0, 0x80], "\"}}"), // a surrogate encoded as UTF-8
    };

    private static byte[] Around(string before, byte[] raw, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. raw, .. Encoding.UTF8.GetBytes(after)];

    [Theory]
    [MemberData(nameof(BadTextFrames))]
    public void Strings_that_are_not_valid_text_are_rejected_without_throwing(byte[] frame)
    {
        ShouldBeRejected(Parse(frame, ReceivedAt), "malformed JSON");
    }

    [Fact]
    public void Invalid_text_in_a_field_the_parser_skips_does_not_matter()
    {
        var parsed = Parse(TradeFrame(("M", "\"\\uD800\"")));

        parsed.Kind.ShouldBe(BinanceFrameKind.Trade, parsed.Detail);
    }

    [Fact]
    public void Every_fixture_parses_to_something_other_than_a_rejection()
    {
        foreach (var name in BinanceFixtures.All())
        {
            var frame = BinanceFixtures.Load(name);
            // Each fixture is judged against a receipt time near its own trade time, so only shape matters here.
            var kinds = new[] { BinanceTimeUnit.Millisecond, BinanceTimeUnit.Microsecond }
                .Select(unit => BinanceTradeParser.Parse(frame, ReceiptTimeFor(frame, unit), unit, Registry).Kind);

            kinds.ShouldContain(k => k != BinanceFrameKind.Rejected, name);
        }
    }

    /// <summary>A receipt time 1 ms after the frame's "T", or an arbitrary one when it has none.</summary>
    private static UnixMicros ReceiptTimeFor(byte[] frame, BinanceTimeUnit unit)
    {
        using var document = System.Text.Json.JsonDocument.Parse(frame);
        var root = document.RootElement.TryGetProperty("data", out var data) ? data : document.RootElement;
        if (!root.TryGetProperty("T", out var time))
        {
            return ReceivedAt;
        }

        return unit == BinanceTimeUnit.Millisecond
            ? UnixMicros.FromMilliseconds(time.GetInt64() + 1)
            : new UnixMicros(time.GetInt64() + 1_000);
    }
}

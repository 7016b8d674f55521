using System.Globalization;
using System.Text;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Trades;

namespace K2.Core.Tests.Exchanges.Coinbase;

public sealed class CoinbaseTradeParserTests
{
    /// <summary>Receipt a little after the constructed fixtures' trades (2026-11-22T10:15:00Z).</summary>
    private static readonly UnixMicros ReceivedAt = new(1_795_342_500_600_000);

    private static readonly CoinbaseSideConvention[] Conventions = [CoinbaseSideConvention.Taker, CoinbaseSideConvention.Maker];

    private readonly List<Trade> _trades = [];
    private readonly List<TradeRejection> _rejections = [];

    private CoinbaseFrame Parse(byte[] frame, UnixMicros receivedAt, CoinbaseSideConvention sides = CoinbaseSideConvention.Taker) =>
        CoinbaseTradeParser.Parse(frame, receivedAt, CoinbaseFixtures.Registry, sides, _trades, _rejections);

    private CoinbaseFrame Parse(string frame, CoinbaseSideConvention sides = CoinbaseSideConvention.Taker) =>
        Parse(Encoding.UTF8.GetBytes(frame), ReceivedAt, sides);

    private static TradeSide Taker(TradeSide wireSide, CoinbaseSideConvention sides) =>
        sides == CoinbaseSideConvention.Taker ? wireSide : wireSide == TradeSide.Buy ? TradeSide.Sell : TradeSide.Buy;

    /// <summary>A valid BTC-USD trade object with some fields replaced (raw JSON value) or removed (null), in wire order.</summary>
    private static string TradeObject(params (string Field, string? RawValue)[] changes)
    {
        (string Field, string Value)[] fields =
        [
            ("trade_id", "\"995098700\""), ("product_id", "\"BTC-USD\""), ("price", "\"68900.50\""), ("size", "\"0.00150000\""),
            ("side", "\"BUY\""), ("time", "\"2026-11-22T10:15:00.012345Z\""),
        ];
        var kept = fields
            .Select(f => changes.FirstOrDefault(c => c.Field == f.Field) is { Field: not null } c ? (f.Field, c.RawValue) : (f.Field, (string?)f.Value))
            .Where(f => f.Item2 is not null)
            .Select(f => $"\"{f.Field}\":{f.Item2}");
        return "{" + string.Join(",", kept) + "}";
    }

    private static string MarketTrades(params string[] trades) =>
        $$"""{"channel":"market_trades","client_id":"","timestamp":"2026-11-22T10:15:00.25Z","sequence_num":9,"events":[{"type":"update","trades":[{{string.Join(",", trades)}}]}]}""";

    private void ShouldRejectOnlyTheTrade(CoinbaseFrame frame, TradeRejectReason reason, string detailFragment)
    {
        frame.Kind.ShouldBe(CoinbaseFrameKind.MarketTrades, frame.Detail);
        _trades.ShouldBeEmpty();
        var rejection = _rejections.ShouldHaveSingleItem();
        rejection.Reason.ShouldBe(reason);
        rejection.Detail.ShouldContain(detailFragment, Case.Sensitive);
        frame.RejectedTradeCount.ShouldBe(1);
    }

    private void ShouldRejectTheFrame(CoinbaseFrame frame, TradeRejectReason reason, string detailFragment)
    {
        frame.Kind.ShouldBe(CoinbaseFrameKind.Rejected, frame.Detail);
        frame.RejectReason.ShouldBe(reason);
        frame.Detail.ShouldNotBeNull().ShouldContain(detailFragment, Case.Sensitive);
        _trades.ShouldBeEmpty();
        var rejection = _rejections.ShouldHaveSingleItem();
        rejection.Reason.ShouldBe(reason);
        rejection.Detail.ShouldBe(frame.Detail);
    }

    [Theory]
    [InlineData(CoinbaseSideConvention.Taker, TradeSide.Buy)]
    [InlineData(CoinbaseSideConvention.Maker, TradeSide.Sell)]
    public void The_docs_market_trades_snapshot_normalizes_to_its_one_trade(CoinbaseSideConvention sides, TradeSide expectedSide)
    {
        // The docs' trade is from 2019; receipt one second later keeps it inside the accepted age.
        var receivedAt = new UnixMicros(1_565_815_347_265_000 + 1_000_000);

        var frame = Parse(CoinbaseFixtures.Load("ws_market_trades_snapshot.json"), receivedAt, sides);

        frame.ShouldBe(new CoinbaseFrame(
            CoinbaseFrameKind.MarketTrades, SequenceNum: 0, Channel: "market_trades", EventType: CoinbaseEventType.Snapshot,
            Timestamp: new UnixMicros(1_675_973_975_396_251), TradeCount: 1));
        _rejections.ShouldBeEmpty();
        var trade = _trades.ShouldHaveSingleItem();
        trade.ShouldBe(new Trade(
            CoinbaseFixtures.EthUsd, TradeId.FromText("000000000"), 1260.01m, 0.3m, expectedSide, new UnixMicros(1_565_815_347_265_000), receivedAt));
        trade.TradeId.IsNumeric.ShouldBeFalse("leading zeros are not a canonical integer: the id round-trips as text");
        trade.TradeId.ToString().ShouldBe("000000000");
        trade.Symbol.ShouldBe("ETH-USD");
        trade.Instrument.ExchangeSymbol.ShouldBe("ETH-USD");
    }

    [Fact]
    public void An_update_keeps_every_trade_exactly_as_printed_under_both_conventions()
    {
        foreach (var sides in Conventions)
        {
            _trades.Clear();

            var frame = Parse(CoinbaseFixtures.Load("ws_market_trades_update.json"), ReceivedAt, sides);

            frame.Kind.ShouldBe(CoinbaseFrameKind.MarketTrades);
            frame.EventType.ShouldBe(CoinbaseEventType.Update);
            frame.SequenceNum.ShouldBe(5);
            frame.Timestamp.ShouldBe(new UnixMicros(1_795_342_500_257_889));
            _trades.ShouldBe(
            [
                new Trade(CoinbaseFixtures.BtcUsd, TradeId.FromNumber(995_098_700), 68900.50m, 0.00150000m, Taker(TradeSide.Buy, sides), new UnixMicros(1_795_342_500_012_345), ReceivedAt),
                new Trade(CoinbaseFixtures.BtcUsd, TradeId.FromNumber(995_098_701), 68900.00m, 0.05000000m, Taker(TradeSide.Sell, sides), new UnixMicros(1_795_342_500_200_000), ReceivedAt),
            ]);
            _trades[0].Price.ToString(CultureInfo.InvariantCulture).ShouldBe("68900.50");
            _trades[1].Quantity.ToString(CultureInfo.InvariantCulture).ShouldBe("0.05000000");
        }

        _rejections.ShouldBeEmpty();
    }

    [Fact]
    public void A_message_with_several_events_of_several_trades_loses_none_of_them()
    {
        // ccxt/ccxt#27606: a client that indexed the wrong loop kept only the first trade of each message.
        var frame = Parse(CoinbaseFixtures.Load("ws_market_trades_update_multi.json"), ReceivedAt);

        frame.TradeCount.ShouldBe(5);
        _trades.Select(t => (t.Symbol, t.TradeId.Number, t.Side)).ShouldBe(
        [
            ("BTC-USD", 995_098_702L, TradeSide.Buy), ("BTC-USD", 995_098_703L, TradeSide.Buy), ("BTC-USD", 995_098_704L, TradeSide.Sell),
            ("ETH-USD", 512_345_678L, TradeSide.Sell), ("ETH-USD", 512_345_679L, TradeSide.Buy),
        ]);
        _trades[1].ExchangeTime.ShouldBe(new UnixMicros(1_795_342_500_251_001));
        _trades[4].Price.ShouldBe(3012.50m);
    }

    [Theory]
    [InlineData("ws_heartbeats.json", 3049L, 0L, 1_687_552_286_122_969L)]
    [InlineData("ws_heartbeats_numeric_counter.json", 21697L, 7L, 1_795_342_501_000_000L)]
    public void Heartbeats_are_recognised_with_a_string_or_numeric_counter(string fixture, long counter, long sequence, long timestamp)
    {
        var frame = Parse(CoinbaseFixtures.Load(fixture), ReceivedAt);

        frame.ShouldBe(new CoinbaseFrame(
            CoinbaseFrameKind.Heartbeat, SequenceNum: sequence, Channel: "heartbeats", HeartbeatCounter: counter, Timestamp: new UnixMicros(timestamp)));
        _trades.ShouldBeEmpty();
        _rejections.ShouldBeEmpty();
    }

    [Fact]
    public void The_subscriptions_acknowledgement_lists_every_channel_with_its_products()
    {
        var frame = Parse(CoinbaseFixtures.Load("ws_subscriptions.json"), ReceivedAt);

        frame.Kind.ShouldBe(CoinbaseFrameKind.Subscriptions);
        frame.SequenceNum.ShouldBe(0);
        frame.Timestamp.ShouldBe(new UnixMicros(1_775_572_200_000_000));
        frame.Subscriptions.ShouldNotBeNull();
        frame.Subscriptions.Keys.ShouldBe(["level2", "market_trades"], ignoreOrder: true);
        frame.Subscriptions["market_trades"].ShouldBe(["BTC-USD", "ETH-USD"]);
        frame.Subscriptions["level2"].ShouldBe(["BTC-USD"]);
    }

    [Fact]
    public void The_acknowledgement_after_subscribing_to_heartbeats_lists_them_by_channel_name()
    {
        var frame = Parse(CoinbaseFixtures.Load("ws_subscriptions_heartbeats.json"), ReceivedAt);

        frame.Kind.ShouldBe(CoinbaseFrameKind.Subscriptions);
        frame.SequenceNum.ShouldBe(2);
        frame.Subscriptions!["heartbeats"].ShouldBe(["heartbeats"]);
        frame.Subscriptions["market_trades"].ShouldBe(["BTC-USD", "ETH-USD"]);
    }

    [Theory]
    [InlineData("ws_error.json", "Failed to subscribe", null)]
    [InlineData("ws_error_with_reason.json", "Failed to subscribe", "GIBBERISH-USD is not a valid product")]
    public void Errors_are_recognised_with_their_message_and_reason(string fixture, string message, string? reason)
    {
        var frame = Parse(CoinbaseFixtures.Load(fixture), ReceivedAt);

        frame.ShouldBe(new CoinbaseFrame(CoinbaseFrameKind.Error, ErrorMessage: message, Detail: reason));
        _rejections.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("ws_subscribe_request_market_trades.json")]
    [InlineData("ws_subscribe_request_heartbeats.json")]
    [InlineData("ws_subscribe_request_level2_unauthenticated.json")]
    public void Requests_are_not_server_messages_and_are_ignored(string fixture)
    {
        var frame = Parse(CoinbaseFixtures.Load(fixture), ReceivedAt);

        frame.Kind.ShouldBe(CoinbaseFrameKind.Ignored);
        frame.Detail.ShouldBe("subscribe");
        _rejections.ShouldBeEmpty();
    }

    [Fact]
    public void Every_websocket_fixture_is_recognised()
    {
        foreach (var name in CoinbaseFixtures.All("ws_"))
        {
            var frame = CoinbaseTradeParser.Parse(
                CoinbaseFixtures.Load(name), new UnixMicros(1_565_815_347_265_000 + 1), CoinbaseFixtures.Registry, CoinbaseSideConvention.Taker, [], []);

            frame.Kind.ShouldNotBe(CoinbaseFrameKind.Rejected, name);
        }
    }

    [Theory]
    [InlineData("""{"channel":"ticker","sequence_num":3,"events":[{"type":"update","tickers":[{"product_id":"BTC-USD","price":"1"}]}]}""", "ticker")]
    [InlineData("""{"channel":"l2_data","sequence_num":3,"events":[{"type":"update","product_id":"BTC-USD","updates":[]}]}""", "l2_data")]
    [InlineData("""{"type":"unsubscribe","channel":"market_trades"}""", "unsubscribe")]
    [InlineData("""{"hello":"world"}""", "no channel")]
    public void Other_channels_and_shapes_are_ignored(string frame, string detail)
    {
        var parsed = Parse(frame);

        parsed.Kind.ShouldBe(CoinbaseFrameKind.Ignored);
        parsed.Detail.ShouldBe(detail);
    }

    [Fact]
    public void Trades_in_a_channel_that_is_named_only_after_them_are_judged_by_that_channel()
    {
        // Properties may come in any order: the events are read before the channel is known.
        var frame = Parse($$"""{"events":[{"type":"update","trades":[{{TradeObject()}}]}],"sequence_num":4,"channel":"market_trades"}""");

        frame.Kind.ShouldBe(CoinbaseFrameKind.MarketTrades);
        frame.SequenceNum.ShouldBe(4);
        _trades.ShouldHaveSingleItem().TradeId.ShouldBe(TradeId.FromNumber(995_098_700));

        _trades.Clear();
        var other = Parse($$"""{"events":[{"type":"update","trades":[{{TradeObject()}},{{TradeObject(("price", "1"))}}]}],"channel":"user"}""");

        other.Kind.ShouldBe(CoinbaseFrameKind.Ignored);
        _trades.ShouldBeEmpty();
        _rejections.ShouldBeEmpty();
    }

    [Fact]
    public void A_bad_trade_rejects_only_itself_and_names_its_product_and_id()
    {
        var frame = Parse(MarketTrades(
            TradeObject(("trade_id", "\"1\"")),
            TradeObject(("trade_id", "\"2\""), ("price", "\"68,900.50\"")),
            TradeObject(("trade_id", "\"3\""))));

        frame.Kind.ShouldBe(CoinbaseFrameKind.MarketTrades);
        frame.TradeCount.ShouldBe(2);
        frame.RejectedTradeCount.ShouldBe(1);
        _trades.Select(t => t.TradeId.Number).ShouldBe([1L, 3L]);
        _rejections.ShouldBe([new TradeRejection(TradeRejectReason.InvalidField, "'price' must be a decimal string", "BTC-USD", "2")]);
    }

    [Fact]
    public void The_caller_s_lists_are_appended_to_and_never_cleared()
    {
        var earlier = new Trade(CoinbaseFixtures.EthUsd, TradeId.FromNumber(1), 1m, 1m, TradeSide.Buy, ReceivedAt, ReceivedAt);
        var earlierRejection = new TradeRejection(TradeRejectReason.MalformedJson, "earlier");
        _trades.Add(earlier);
        _rejections.Add(earlierRejection);

        Parse(CoinbaseFixtures.Load("ws_market_trades_update.json"), ReceivedAt);
        Parse("{\"channel\":\"market_trades\",\"events\":[{\"trades\":[" + TradeObject() + "]");

        _trades.Count.ShouldBe(3);
        _trades[0].ShouldBe(earlier);
        _rejections.Count.ShouldBe(2);
        _rejections[0].ShouldBe(earlierRejection);
        _rejections[1].Reason.ShouldBe(TradeRejectReason.MalformedJson);
    }

    [Theory]
    [InlineData("trade_id", "missing field 'trade_id'")]
    [InlineData("product_id", "missing field 'product_id'")]
    [InlineData("price", "missing field 'price'")]
    [InlineData("size", "missing field 'size'")]
    [InlineData("side", "missing field 'side'")]
    [InlineData("time", "missing field 'time'")]
    public void A_trade_missing_a_field_is_rejected_naming_it(string field, string detail)
    {
        ShouldRejectOnlyTheTrade(Parse(MarketTrades(TradeObject((field, null)))), TradeRejectReason.MissingField, detail);
    }

    [Theory]
    [InlineData("trade_id", "null", TradeRejectReason.InvalidField, "'trade_id' must be a plain string")]
    [InlineData("trade_id", "\"\"", TradeRejectReason.InvalidTradeId, "'trade_id' must be 1 to 64 characters")]
    [InlineData("trade_id", "-1", TradeRejectReason.InvalidTradeId, "'trade_id' must be a non-negative integer or a string")]
    [InlineData("trade_id", "1.5", TradeRejectReason.InvalidTradeId, "'trade_id' must be a non-negative integer or a string")]
    [InlineData("trade_id", "\"99\\u0039\"", TradeRejectReason.InvalidField, "'trade_id' must be a plain string")]
    [InlineData("product_id", "7", TradeRejectReason.InvalidField, "'product_id' must be a short plain string")]
    [InlineData("product_id", "\"\"", TradeRejectReason.InvalidField, "'product_id' must be a short plain string")]
    [InlineData("product_id", "\"BTC\\u002dUSD\"", TradeRejectReason.InvalidField, "'product_id' must be a short plain string")]
    [InlineData("price", "68900.5", TradeRejectReason.InvalidField, "'price' must be a decimal string")]
    [InlineData("price", "\"6.89005e4\"", TradeRejectReason.InvalidField, "'price' must be a decimal string")]
    [InlineData("price", "{\"v\":1}", TradeRejectReason.InvalidField, "'price' must be a decimal string")]
    [InlineData("size", "\"-0.5\"", TradeRejectReason.InvalidField, "'size' must be a decimal string")]
    [InlineData("size", "[\"0.5\"]", TradeRejectReason.InvalidField, "'size' must be a decimal string")]
    [InlineData("side", "\"buy\"", TradeRejectReason.InvalidField, "'side' must be BUY or SELL")]
    [InlineData("side", "\"UNKNOWN_ORDER_SIDE\"", TradeRejectReason.InvalidField, "'side' must be BUY or SELL")]
    [InlineData("side", "\"\"", TradeRejectReason.InvalidField, "'side' is empty: the taker side cannot be known")]
    [InlineData("side", "true", TradeRejectReason.InvalidField, "'side' must be BUY or SELL")]
    [InlineData("time", "1795342500012", TradeRejectReason.InvalidField, "'time' must be an RFC 3339 string")]
    [InlineData("time", "\"2026-13-22T10:15:00Z\"", TradeRejectReason.InvalidTimestamp, "'time' is not an RFC 3339 time")]
    [InlineData("time", "\"yesterday\"", TradeRejectReason.InvalidTimestamp, "'time' is not an RFC 3339 time")]
    public void A_field_of_the_wrong_type_or_value_rejects_the_trade_naming_it(string field, string rawValue, TradeRejectReason reason, string detail)
    {
        ShouldRejectOnlyTheTrade(Parse(MarketTrades(TradeObject((field, rawValue)))), reason, detail);
    }

    [Theory]
    [InlineData("price", "\"0\"", TradeRejectReason.InvalidPrice, "price must be positive")]
    [InlineData("size", "\"0.00000000\"", TradeRejectReason.InvalidQuantity, "quantity must be positive")]
    [InlineData("price", "\"68900.123456789\"", TradeRejectReason.InvalidPrice, "more than 8 significant decimal places")]
    [InlineData("size", "\"10000000000\"", TradeRejectReason.InvalidQuantity, "quantity exceeds")]
    [InlineData("time", "\"2026-11-22T10:20:00.600001Z\"", TradeRejectReason.InvalidTimestamp, "after receipt")]
    [InlineData("time", "\"2026-10-23T10:14:59Z\"", TradeRejectReason.InvalidTimestamp, "before receipt")]
    public void Values_the_validator_refuses_reject_the_trade(string field, string rawValue, TradeRejectReason reason, string detail)
    {
        ShouldRejectOnlyTheTrade(Parse(MarketTrades(TradeObject((field, rawValue)))), reason, detail);
    }

    [Fact]
    public void Times_up_to_the_skew_and_age_bounds_are_accepted()
    {
        Parse(MarketTrades(
            TradeObject(("trade_id", "\"1\""), ("time", "\"2026-11-22T10:20:00.600000Z\"")), // exactly five minutes ahead
            TradeObject(("trade_id", "\"2\""), ("time", "\"2026-10-23T10:15:00.600000Z\"")))); // exactly thirty days old

        _rejections.ShouldBeEmpty();
        _trades.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("SOL-USD")] // Kraken lists it; Coinbase does not here
    [InlineData("BTCUSDT")]
    [InlineData("DOGE-USD")]
    public void An_unknown_product_rejects_the_trade_naming_it(string productId)
    {
        var frame = Parse(MarketTrades(TradeObject(("product_id", $"\"{productId}\""))));

        ShouldRejectOnlyTheTrade(frame, TradeRejectReason.UnknownSymbol, $"unknown product '{productId}'");
        _rejections[0].RawSymbol.ShouldBe(productId);
        _rejections[0].RawTradeId.ShouldBe("995098700");
    }

    [Fact]
    public void USD_data_of_a_pair_listed_only_as_USDC_is_that_instrument_s()
    {
        Parse(MarketTrades(TradeObject(("product_id", "\"AVAX-USD\""), ("price", "\"35.12\""))));

        _trades.ShouldHaveSingleItem().Instrument.ShouldBeSameAs(CoinbaseFixtures.AvaxUsdc);
    }

    [Theory]
    [InlineData("\"995098700\"", true, "995098700")]
    [InlineData("995098700", true, "995098700")]
    [InlineData("\"0\"", true, "0")]
    [InlineData("\"9223372036854775807\"", true, "9223372036854775807")]
    [InlineData("\"9223372036854775808\"", false, "9223372036854775808")] // beyond long: text
    [InlineData("\"0042\"", false, "0042")]
    [InlineData("\"+42\"", false, "+42")]
    [InlineData("\"-42\"", false, "-42")]
    [InlineData("\"34b080bf-fcfd-445a-832b-46b5ddc65601\"", false, "34b080bf-fcfd-445a-832b-46b5ddc65601")]
    public void Trade_ids_follow_TradeId_FromText(string rawId, bool numeric, string text)
    {
        Parse(MarketTrades(TradeObject(("trade_id", rawId))));

        var id = _trades.ShouldHaveSingleItem().TradeId;
        id.IsNumeric.ShouldBe(numeric);
        id.ToString().ShouldBe(text);
        id.ShouldBe(TradeId.FromText(text));
    }

    public static TheoryData<string, TradeRejectReason, string> BrokenFrames => new()
    {
        { "", TradeRejectReason.MalformedJson, "malformed JSON" },
        { "[]", TradeRejectReason.MalformedJson, "frame is not a JSON object" },
        { "\"market_trades\"", TradeRejectReason.MalformedJson, "frame is not a JSON object" },
        { "{", TradeRejectReason.MalformedJson, "malformed JSON" },
        { "{\"channel\":\"market_trades\",}", TradeRejectReason.MalformedJson, "malformed JSON" },
        { "{\"type\":\"error\"} trailing", TradeRejectReason.MalformedJson, "malformed JSON" },
        { "{\"type\":\"error\"}{\"type\":\"error\"}", TradeRejectReason.MalformedJson, "malformed JSON" },
        { "{\"x\":" + new string('[', 40) + new string(']', 40) + "}", TradeRejectReason.MalformedJson, "malformed JSON" },
        { "{\"channel\":7}", TradeRejectReason.InvalidField, "'channel' must be a string" },
        { "{\"channel\":\"market_trades\",\"sequence_num\":\"1\",\"events\":[]}", TradeRejectReason.InvalidField, "'sequence_num' must be a non-negative integer" },
        { "{\"channel\":\"market_trades\",\"sequence_num\":-1,\"events\":[]}", TradeRejectReason.InvalidField, "'sequence_num' must be a non-negative integer" },
        { "{\"channel\":\"market_trades\",\"sequence_num\":1.5,\"events\":[]}", TradeRejectReason.InvalidField, "'sequence_num' must be a non-negative integer" },
        { "{\"channel\":\"market_trades\",\"timestamp\":\"today\",\"events\":[]}", TradeRejectReason.InvalidField, "'timestamp' must be an RFC 3339 time" },
        { "{\"channel\":\"market_trades\",\"events\":{}}", TradeRejectReason.InvalidField, "'events' must be an array" },
        { "{\"channel\":\"market_trades\",\"events\":[1]}", TradeRejectReason.InvalidField, "an event must be an object" },
        { "{\"channel\":\"market_trades\",\"events\":[{\"type\":1}]}", TradeRejectReason.InvalidField, "an event's 'type' must be a string" },
        { "{\"channel\":\"market_trades\",\"events\":[{\"trades\":{}}]}", TradeRejectReason.InvalidField, "'trades' must be an array" },
        { "{\"channel\":\"market_trades\",\"sequence_num\":1}", TradeRejectReason.MissingField, "missing field 'events'" },
        { "{\"sequence_num\":1,\"events\":[]}", TradeRejectReason.MissingField, "missing field 'channel'" },
        { "{\"channel\":\"heartbeats\",\"events\":[{\"current_time\":\"x\"}]}", TradeRejectReason.MissingField, "missing field 'heartbeat_counter'" },
        { "{\"channel\":\"heartbeats\",\"events\":[{\"heartbeat_counter\":\"12a\"}]}", TradeRejectReason.InvalidField, "'heartbeat_counter' must be" },
        { "{\"channel\":\"heartbeats\",\"events\":[{\"heartbeat_counter\":-3}]}", TradeRejectReason.InvalidField, "'heartbeat_counter' must be" },
        { "{\"channel\":\"subscriptions\",\"events\":[{\"subscriptions\":{\"market_trades\":\"BTC-USD\"}}]}", TradeRejectReason.InvalidField, "'subscriptions' must map" },
    };

    [Theory]
    [MemberData(nameof(BrokenFrames))]
    public void A_broken_frame_is_rejected_as_a_whole(string frame, TradeRejectReason reason, string detail)
    {
        ShouldRejectTheFrame(Parse(frame), reason, detail);
    }

    [Fact]
    public void A_frame_broken_after_some_trades_takes_those_trades_back()
    {
        var whole = CoinbaseFixtures.Load("ws_market_trades_update_multi.json");
        var cut = Array.LastIndexOf(whole, (byte)'{'); // inside the last trade, after four complete ones

        ShouldRejectTheFrame(Parse(whole[..cut], ReceivedAt), TradeRejectReason.MalformedJson, "malformed JSON");
    }

    [Fact]
    public void A_trade_that_is_not_an_object_rejects_only_itself()
    {
        var frame = Parse(MarketTrades("42", TradeObject()));

        frame.Kind.ShouldBe(CoinbaseFrameKind.MarketTrades);
        _trades.ShouldHaveSingleItem();
        _rejections.ShouldBe([new TradeRejection(TradeRejectReason.InvalidField, "a trade is not an object")]);
    }

    [Fact]
    public void An_unknown_event_type_is_named_Unknown_and_its_trades_are_kept()
    {
        var frame = Parse($$"""{"channel":"market_trades","sequence_num":1,"events":[{"type":"replay","trades":[{{TradeObject()}}]}]}""");

        frame.EventType.ShouldBe(CoinbaseEventType.Unknown);
        _trades.ShouldHaveSingleItem();
    }

    [Fact]
    public void A_message_without_trades_and_one_without_sequence_number_are_still_market_trades()
    {
        Parse("""{"channel":"market_trades","sequence_num":3,"events":[{"type":"snapshot","trades":[]}]}""")
            .ShouldBe(new CoinbaseFrame(CoinbaseFrameKind.MarketTrades, 3, "market_trades", CoinbaseEventType.Snapshot));
        Parse("""{"channel":"market_trades","events":[]}""")
            .ShouldBe(new CoinbaseFrame(CoinbaseFrameKind.MarketTrades, Channel: "market_trades"));
    }

    [Theory]
    [InlineData("ws_market_trades_snapshot.json")]
    [InlineData("ws_market_trades_update_multi.json")]
    [InlineData("ws_heartbeats.json")]
    [InlineData("ws_subscriptions.json")]
    [InlineData("ws_error_with_reason.json")]
    public void Every_truncation_of_a_frame_is_rejected_and_adds_nothing_else(string fixture)
    {
        var frame = CoinbaseFixtures.Load(fixture);

        for (var length = 0; length < frame.Length; length++)
        {
            _trades.Clear();
            _rejections.Clear();

            var parsed = Parse(frame[..length], ReceivedAt);

            parsed.Kind.ShouldBe(CoinbaseFrameKind.Rejected, $"truncated to {length} bytes: {Encoding.UTF8.GetString(frame[..length])}");
            _trades.ShouldBeEmpty();
            _rejections.Count.ShouldBe(1);
        }
    }

    public static TheoryData<byte[]> BadTextFrames => new()
    {
        Encoding.UTF8.GetBytes("{\"type\":\"error\",\"message\":\"\\uD800\"}"),
        Encoding.UTF8.GetBytes("{\"channel\":\"x\\uDC00y\",\"events\":[]}"),
        Encoding.UTF8.GetBytes("{\"channel\":\"subscriptions\",\"events\":[{\"subscriptions\":{\"\\uD800\":[]}}]}"),
        Around("{\"channel\":\"market_trades\",\"events\":[{\"trades\":[{\"trade_id\":\"ab", [0xFF, 0xFE], "\"}]}]}"),
        Around("{\"channel\":\"market_trades\",\"events\":[{\"trades\":[{\"product_id\":\"BTC-", [0xC3], "\"}]}]}"),
        Around("{\"type\":\"error\",\"reason\":\"", [0xED, 0xA0, 0x80], "\"}"),
    };

    private static byte[] Around(string before, byte[] raw, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. raw, .. Encoding.UTF8.GetBytes(after)];

    [Theory]
    [MemberData(nameof(BadTextFrames))]
    public void Strings_that_are_not_valid_text_reject_the_frame_without_throwing(byte[] frame)
    {
        ShouldRejectTheFrame(Parse(frame, ReceivedAt), TradeRejectReason.MalformedJson, "malformed JSON");
    }

    [Fact]
    public void Parsing_an_update_of_integer_id_trades_allocates_nothing()
    {
        var frame = CoinbaseFixtures.Load("ws_market_trades_update_multi.json");
        List<Trade> trades = new(capacity: 64);
        List<TradeRejection> rejections = new(capacity: 4);
        for (var warmUp = 0; warmUp < 10; warmUp++)
        {
            trades.Clear();
            CoinbaseTradeParser.Parse(frame, ReceivedAt, CoinbaseFixtures.Registry, CoinbaseSideConvention.Taker, trades, rejections);
        }

        trades.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var parsed = CoinbaseTradeParser.Parse(frame, ReceivedAt, CoinbaseFixtures.Registry, CoinbaseSideConvention.Taker, trades, rejections);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        parsed.TradeCount.ShouldBe(5);
        allocated.ShouldBe(0);
    }

    [Fact]
    public void The_normalizer_adds_what_the_parser_finds()
    {
        var normalizer = new CoinbaseFrameNormalizer(CoinbaseFixtures.Registry, CoinbaseSideConvention.Maker);
        List<Trade> trades = [];
        List<TradeRejection> rejections = [];

        normalizer.Exchange.ShouldBe(Exchange.Coinbase);
        normalizer.Normalize(CoinbaseFixtures.Load("ws_market_trades_update_multi.json"), ReceivedAt, trades, rejections);
        normalizer.Normalize(CoinbaseFixtures.Load("ws_heartbeats.json"), ReceivedAt, trades, rejections);
        normalizer.Normalize("{"u8, ReceivedAt, trades, rejections);

        Parse(CoinbaseFixtures.Load("ws_market_trades_update_multi.json"), ReceivedAt, CoinbaseSideConvention.Maker);
        trades.ShouldBe(_trades);
        rejections.ShouldHaveSingleItem().Reason.ShouldBe(TradeRejectReason.MalformedJson);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using K2.Core.Exchanges;
using K2.Core.Exchanges.Kraken;
using K2.Core.Trades;
using static K2.Core.Tests.Exchanges.Kraken.KrakenFixtures;

namespace K2.Core.Tests.Exchanges.Kraken;

public sealed class KrakenV2TradeParserTests
{
    /// <summary>Receipt shortly after the docs' sample trades (the docs' ack time).</summary>
    private static readonly UnixMicros DocsReceivedAt = At("2023-09-25T09:21:10.428400Z");

    private static readonly UnixMicros ReceivedAt = At("2026-09-25T17:48:27.000000Z");

    private readonly List<Trade> _trades = [];
    private readonly List<TradeRejection> _rejections = [];

    private KrakenV2Frame Parse(byte[] frame, UnixMicros receivedAt) =>
        KrakenV2TradeParser.Parse(frame, receivedAt, Registry, _trades, _rejections);

    private KrakenV2Frame Parse(string frame) => Parse(Encoding.UTF8.GetBytes(frame), ReceivedAt);

    /// <summary>One BTC/USD trade object with some fields replaced (raw JSON) or removed (null), keeping field order.</summary>
    private static string TradeObject(params (string Field, string? RawValue)[] changes)
    {
        (string Field, string Value)[] fields =
        [
            ("symbol", "\"BTC/USD\""), ("side", "\"buy\""), ("price", "83744.3"), ("qty", "0.00044780"), ("ord_type", "\"limit\""),
            ("trade_id", "109116693"), ("timestamp", "\"2026-09-25T17:48:26.844359Z\""),
        ];
        var kept = fields
            .Select(f => changes.FirstOrDefault(c => c.Field == f.Field) is { Field: not null } c ? (f.Field, c.RawValue) : (f.Field, (string?)f.Value))
            .Where(f => f.Item2 is not null)
            .Select(f => $"\"{f.Field}\":{f.Item2}");
        return "{" + string.Join(",", kept) + "}";
    }

    private static string Update(params string[] trades) => $$"""{"channel":"trade","type":"update","data":[{{string.Join(",", trades)}}]}""";

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private void ShouldRejectTheOnlyTrade(KrakenV2Frame frame, TradeRejectReason reason, string detailFragment)
    {
        frame.Kind.ShouldBe(KrakenV2FrameKind.Trades);
        frame.TradeCount.ShouldBe(0);
        frame.RejectedCount.ShouldBe(1);
        _trades.ShouldBeEmpty();
        var rejection = _rejections.ShouldHaveSingleItem();
        rejection.Reason.ShouldBe(reason, rejection.Detail);
        rejection.Detail.ShouldContain(detailFragment, Case.Sensitive);
    }

    private void ShouldRejectTheFrame(KrakenV2Frame frame, TradeRejectReason reason)
    {
        frame.Kind.ShouldBe(KrakenV2FrameKind.Rejected, frame.Detail);
        frame.RejectReason.ShouldBe(reason, frame.Detail);
        frame.RejectedCount.ShouldBe(1);
        _trades.ShouldBeEmpty();
        var rejection = _rejections.ShouldHaveSingleItem();
        rejection.Reason.ShouldBe(reason);
        rejection.Detail.ShouldBe(frame.Detail);
    }

    [Fact]
    public void The_docs_snapshot_normalizes_to_its_two_trades_exactly()
    {
        var frame = Parse(Load("ws_trade_snapshot.json"), DocsReceivedAt);

        frame.Kind.ShouldBe(KrakenV2FrameKind.Trades, frame.Detail);
        frame.TradeType.ShouldBe(KrakenV2TradeMessageType.Snapshot);
        frame.TradeCount.ShouldBe(2);
        frame.RejectedCount.ShouldBe(0);
        _rejections.ShouldBeEmpty();
        _trades.ShouldBe(
        [
            new Trade(MaticUsd, TradeId.FromNumber(4665846), 0.5147m, 6423.46326m, TradeSide.Buy, new UnixMicros(1_695_628_116_925_533), DocsReceivedAt),
            new Trade(MaticUsd, TradeId.FromNumber(4665847), 0.5147m, 1136.19677815m, TradeSide.Buy, new UnixMicros(1_695_628_176_925_603), DocsReceivedAt),
        ]);
        Text(_trades[0].Price).ShouldBe("0.5147");
        Text(_trades[0].Quantity).ShouldBe("6423.46326");
        Text(_trades[1].Quantity).ShouldBe("1136.19677815");
        _trades[0].ExchangeTime.ToString().ShouldBe("2023-09-25T07:48:36.925533Z");
        _trades[0].Symbol.ShouldBe("MATIC-USD");
        _trades[0].Exchange.ShouldBe(Exchange.Kraken);
    }

    [Fact]
    public void The_docs_update_normalizes_to_a_sell_taken_by_the_seller_keeping_the_printed_scale()
    {
        var frame = Parse(Load("ws_trade_update.json"), DocsReceivedAt);

        frame.Kind.ShouldBe(KrakenV2FrameKind.Trades, frame.Detail);
        frame.TradeType.ShouldBe(KrakenV2TradeMessageType.Update);
        var trade = _trades.ShouldHaveSingleItem();
        trade.ShouldBe(new Trade(MaticUsd, TradeId.FromNumber(4665906), 0.5117m, 40.0m, TradeSide.Sell, At("2023-09-25T07:49:37.708706Z"), DocsReceivedAt));
        Text(trade.Quantity).ShouldBe("40.0"); // "side" is the taker's side: no inversion
    }

    [Fact]
    public void An_update_with_several_trades_yields_each_in_order()
    {
        var frame = Parse(Load("ws_trade_update_batch.json"), ReceivedAt);

        frame.TradeCount.ShouldBe(3);
        _trades.Select(t => t.TradeId.Number).ShouldBe([109116693L, 109116694L, 109116695L]);
        _trades.Select(t => Text(t.Quantity)).ShouldBe(["0.00044780", "0.01200000", "1.50816106"]);
        _trades.Select(t => t.Side).ShouldBe([TradeSide.Buy, TradeSide.Buy, TradeSide.Sell]);
        _trades.ShouldAllBe(t => t.Instrument == BtcUsd && t.ReceiptTime == ReceivedAt);
        _trades[2].ExchangeTime.ShouldBe(At("2026-09-25T17:48:26.901112Z"));
    }

    [Fact]
    public void Data_before_channel_is_read_all_the_same()
    {
        var frame = Parse(Load("ws_trade_update_data_first.json"), DocsReceivedAt);

        frame.Kind.ShouldBe(KrakenV2FrameKind.Trades, frame.Detail);
        frame.TradeType.ShouldBe(KrakenV2TradeMessageType.Update);
        _trades.ShouldHaveSingleItem().ShouldBe(
            new Trade(EthUsd, TradeId.FromNumber(3321), 1640.25m, 0.25m, TradeSide.Sell, At("2023-09-25T07:49:37.708706Z"), DocsReceivedAt));
    }

    [Fact]
    public void Every_fixture_that_carries_trades_yields_them_and_every_other_fixture_adds_nothing()
    {
        foreach (var name in All("ws_"))
        {
            _trades.Clear();
            _rejections.Clear();
            var receivedAt = name.Contains("batch", StringComparison.Ordinal) ? ReceivedAt : DocsReceivedAt;

            var frame = Parse(Load(name), receivedAt);

            _rejections.ShouldBeEmpty(name);
            frame.Kind.ShouldNotBe(KrakenV2FrameKind.Rejected, name);
            (frame.Kind == KrakenV2FrameKind.Trades).ShouldBe(name.StartsWith("ws_trade_", StringComparison.Ordinal), name);
            var carried = name.StartsWith("ws_trade_", StringComparison.Ordinal)
                ? JsonDocument.Parse(Load(name)).RootElement.GetProperty("data").GetArrayLength()
                : 0;
            _trades.Count.ShouldBe(carried, name);
        }
    }

    [Fact]
    public void The_docs_subscribe_acknowledgement_is_a_successful_result_for_its_symbol()
    {
        var frame = Parse(Load("ws_subscribe_result.json"), DocsReceivedAt);

        frame.ShouldBe(new KrakenV2Frame(
            KrakenV2FrameKind.SubscribeResult, Success: true, Symbol: "MATIC/USD", Channel: "trade",
            TimeIn: At("2023-09-25T09:21:10.428340Z"), TimeOut: At("2023-09-25T09:21:10.428375Z")));
        _trades.ShouldBeEmpty();
    }

    [Fact]
    public void An_acknowledgement_echoes_the_request_id()
    {
        var frame = Parse(Load("ws_subscribe_result_req_id.json"), ReceivedAt);

        frame.Kind.ShouldBe(KrakenV2FrameKind.SubscribeResult);
        frame.Success.ShouldBeTrue();
        frame.RequestId.ShouldBe(42);
        frame.Symbol.ShouldBe("BTC/USD");
    }

    [Theory]
    [InlineData("ws_subscribe_result_unsupported_pair.json", 7L, "XBT/USD", "Currency pair not supported XBT/USD")]
    [InlineData("ws_subscribe_result_already_subscribed.json", 2L, "BTC/USD", "Already subscribed")]
    public void A_refused_subscription_names_its_symbol_and_the_error(string fixture, long requestId, string symbol, string error)
    {
        var frame = Parse(Load(fixture), ReceivedAt);

        frame.Kind.ShouldBe(KrakenV2FrameKind.SubscribeResult);
        frame.Success.ShouldBeFalse();
        frame.RequestId.ShouldBe(requestId);
        frame.Symbol.ShouldBe(symbol);
        frame.Error.ShouldBe(error);
        frame.TimeIn.ShouldNotBeNull();
    }

    [Fact]
    public void The_docs_unsubscribe_acknowledgement_is_recognised_even_with_its_elided_times()
    {
        var frame = Parse(Load("ws_unsubscribe_result.json"), DocsReceivedAt);

        frame.ShouldBe(new KrakenV2Frame(KrakenV2FrameKind.UnsubscribeResult, Success: true, Symbol: "MATIC/USD", Channel: "trade"));
    }

    [Fact]
    public void Heartbeat_pong_status_and_errors_are_recognised()
    {
        Parse(Load("ws_heartbeat.json"), ReceivedAt).ShouldBe(new KrakenV2Frame(KrakenV2FrameKind.Heartbeat));
        Parse(Load("ws_pong.json"), ReceivedAt).ShouldBe(new KrakenV2Frame(
            KrakenV2FrameKind.Pong, Success: true, RequestId: 101, TimeIn: At("2023-09-25T09:21:10.428340Z"), TimeOut: At("2023-09-25T09:21:10.428375Z")));
        Parse(Load("ws_status.json"), ReceivedAt).ShouldBe(new KrakenV2Frame(
            KrakenV2FrameKind.Status, SystemStatus: KrakenSystemStatus.Online, ConnectionId: 18_125_794_168_470_749_634UL));
        Parse(Load("ws_error_exceeded_msg_rate.json"), ReceivedAt).ShouldBe(new KrakenV2Frame(KrakenV2FrameKind.Error, Error: "Exceeded msg rate"));
        Parse("""{"error":"Exceeded msg rate"}""").ShouldBe(new KrakenV2Frame(KrakenV2FrameKind.Error, Error: "Exceeded msg rate"));
        _trades.ShouldBeEmpty();
        _rejections.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"channel":"status","type":"update","data":[{"system":"maintenance"}]}""", KrakenSystemStatus.Maintenance)]
    [InlineData("""{"channel":"status","type":"update","data":[{"system":"cancel_only"}]}""", KrakenSystemStatus.CancelOnly)]
    [InlineData("""{"channel":"status","type":"update","data":[{"system":"post_only"}]}""", KrakenSystemStatus.PostOnly)]
    [InlineData("""{"channel":"status","type":"update","data":[{"system":"limbo"}]}""", KrakenSystemStatus.Unknown)]
    [InlineData("""{"data":[{"system":"online"}],"channel":"status"}""", KrakenSystemStatus.Online)]
    public void Status_values_map_explicitly_with_an_unknown_fallback(string frame, KrakenSystemStatus expected)
    {
        var parsed = Parse(frame);

        parsed.Kind.ShouldBe(KrakenV2FrameKind.Status);
        parsed.SystemStatus.ShouldBe(expected);
    }

    [Theory]
    [InlineData("ws_book_update.json", "channel 'book'")]
    public void Other_channels_are_ignored(string fixture, string detail)
    {
        var frame = Parse(Load(fixture), ReceivedAt);

        frame.Kind.ShouldBe(KrakenV2FrameKind.Ignored);
        frame.Detail.ShouldBe(detail);
        _rejections.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"method":"add_order","req_id":3,"success":false,"error":"EGeneral:Permission denied"}""", "method 'add_order'")]
    [InlineData("""{"result":{}}""", "neither a channel message nor a method result")]
    [InlineData("""{}""", "neither a channel message nor a method result")]
    public void Other_methods_and_unknown_objects_are_ignored(string json, string detail)
    {
        var frame = Parse(json);

        frame.Kind.ShouldBe(KrakenV2FrameKind.Ignored);
        frame.Detail.ShouldBe(detail);
        _rejections.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[1,2]")]
    [InlineData("""{"channel":"trade","type":"update","data":[""")]
    [InlineData("""{"channel":"heartbeat"} {"channel":"heartbeat"}""")]
    [InlineData("""{"channel":"heartbeat",}""")]
    [InlineData("\"trade\"")]
    public void Malformed_json_rejects_the_frame(string json)
    {
        ShouldRejectTheFrame(Parse(json), TradeRejectReason.MalformedJson);
    }

    [Fact]
    public void A_truncated_update_adds_none_of_the_trades_before_the_cut()
    {
        var whole = Update(TradeObject(), TradeObject(("trade_id", "109116694")));
        var truncated = whole[..(whole.Length - 30)];
        _trades.Add(default);
        _rejections.Add(new TradeRejection(TradeRejectReason.UnknownSymbol, "earlier"));

        var frame = Parse(truncated);

        frame.Kind.ShouldBe(KrakenV2FrameKind.Rejected);
        frame.RejectReason.ShouldBe(TradeRejectReason.MalformedJson);
        _trades.ShouldBe([default]); // what the caller had before is untouched
        _rejections.Count.ShouldBe(2);
        _rejections[1].Reason.ShouldBe(TradeRejectReason.MalformedJson);
    }

    [Theory]
    [InlineData("""{"channel":"trade","type":"update"}""", TradeRejectReason.MissingField)]
    [InlineData("""{"channel":"trade","type":"update","data":{"symbol":"BTC/USD"}}""", TradeRejectReason.InvalidField)]
    [InlineData("""{"data":"nope","channel":"trade"}""", TradeRejectReason.InvalidField)]
    [InlineData("""{"channel":42}""", TradeRejectReason.InvalidField)]
    public void A_trade_message_without_a_data_array_rejects_the_frame(string json, TradeRejectReason reason)
    {
        ShouldRejectTheFrame(Parse(json), reason);
    }

    [Theory]
    [InlineData("symbol")]
    [InlineData("side")]
    [InlineData("price")]
    [InlineData("qty")]
    [InlineData("trade_id")]
    [InlineData("timestamp")]
    public void A_trade_missing_a_field_is_rejected_naming_it(string field)
    {
        var frame = Parse(Update(TradeObject((field, null))));

        ShouldRejectTheOnlyTrade(frame, TradeRejectReason.MissingField, $"'{field}'");
        var rejection = _rejections[0];
        rejection.RawSymbol.ShouldBe(field == "symbol" ? null : "BTC/USD");
        rejection.RawTradeId.ShouldBe(field == "trade_id" ? null : "109116693");
    }

    [Theory]
    [InlineData("price", "\"83744.3\"", TradeRejectReason.InvalidField, "'price' must be a JSON number, not a string")]
    [InlineData("qty", "\"0.5\"", TradeRejectReason.InvalidField, "'qty' must be a JSON number")]
    [InlineData("price", "null", TradeRejectReason.InvalidField, "'price' must be a JSON number, not null")]
    [InlineData("price", "{\"v\":1}", TradeRejectReason.InvalidField, "not an object")]
    [InlineData("price", "0", TradeRejectReason.InvalidPrice, "price must be positive")]
    [InlineData("price", "-83744.3", TradeRejectReason.InvalidPrice, "price must be positive")]
    [InlineData("price", "1e-40", TradeRejectReason.InvalidPrice, "not exactly representable")]
    [InlineData("price", "1e30", TradeRejectReason.InvalidPrice, "not exactly representable")]
    [InlineData("price", "12345678901.5", TradeRejectReason.InvalidPrice, "price exceeds")]
    [InlineData("qty", "-0.5", TradeRejectReason.InvalidQuantity, "quantity must be positive")]
    [InlineData("qty", "0.000000001", TradeRejectReason.InvalidQuantity, "more than 8 significant decimal places")]
    [InlineData("side", "\"BUY\"", TradeRejectReason.InvalidField, "'side'")]
    [InlineData("side", "\"b\"", TradeRejectReason.InvalidField, "'side'")]
    [InlineData("side", "true", TradeRejectReason.InvalidField, "'side'")]
    [InlineData("trade_id", "-5", TradeRejectReason.InvalidTradeId, "trade id -5 is negative")]
    [InlineData("trade_id", "1.5", TradeRejectReason.InvalidField, "'trade_id' must be an integer")]
    [InlineData("trade_id", "\"109116693\"", TradeRejectReason.InvalidField, "'trade_id' must be an integer")]
    [InlineData("trade_id", "99999999999999999999", TradeRejectReason.InvalidField, "'trade_id' must be an integer")]
    [InlineData("symbol", "42", TradeRejectReason.InvalidField, "'symbol'")]
    [InlineData("symbol", "\"\"", TradeRejectReason.InvalidField, "'symbol'")]
    [InlineData("symbol", "\"FOO/USD\"", TradeRejectReason.UnknownSymbol, "unknown symbol 'FOO/USD'")]
    [InlineData("symbol", "\"SOL/USD\"", TradeRejectReason.UnknownSymbol, "unknown symbol 'SOL/USD'")]
    [InlineData("symbol", "\"BTC-USD\"", TradeRejectReason.UnknownSymbol, "unknown symbol")]
    [InlineData("timestamp", "\"yesterday\"", TradeRejectReason.InvalidTimestamp, "RFC 3339")]
    [InlineData("timestamp", "\"2026-13-25T17:48:26.844359Z\"", TradeRejectReason.InvalidTimestamp, "RFC 3339")]
    [InlineData("timestamp", "\"2026-09-25 17:48:26.844359Z\"", TradeRejectReason.InvalidTimestamp, "RFC 3339")]
    [InlineData("timestamp", "\"2026-09-25T17:48:26.844359\"", TradeRejectReason.InvalidTimestamp, "RFC 3339")]
    [InlineData("timestamp", "1758822506", TradeRejectReason.InvalidTimestamp, "RFC 3339")]
    [InlineData("timestamp", "\"2026-09-25T17:58:26.844359Z\"", TradeRejectReason.InvalidTimestamp, "after receipt")]
    [InlineData("timestamp", "\"2026-07-25T17:48:26.844359Z\"", TradeRejectReason.InvalidTimestamp, "before receipt")]
    public void A_bad_field_rejects_the_trade_with_its_reason(string field, string rawValue, TradeRejectReason reason, string detail)
    {
        var frame = Parse(Update(TradeObject((field, rawValue))));

        ShouldRejectTheOnlyTrade(frame, reason, detail);
    }

    [Fact]
    public void A_rejected_trade_keeps_what_was_readable_of_its_identity()
    {
        Parse(Update(TradeObject(("symbol", "\"FOO/USD\""), ("trade_id", "77"))));
        Parse(Update(TradeObject(("qty", "-1"))));
        Parse(Update(TradeObject(("trade_id", "1.5"))));

        _rejections.Select(r => (r.RawSymbol, r.RawTradeId)).ShouldBe([("FOO/USD", "77"), ("BTC/USD", "109116693"), ("BTC/USD", "1.5")]);
    }

    [Fact]
    public void One_bad_trade_in_a_batch_rejects_only_itself()
    {
        var frame = Parse(Update(
            TradeObject(("trade_id", "100")),
            TradeObject(("trade_id", "101"), ("qty", "-0.5")),
            "[\"not\",\"an\",\"object\"]",
            TradeObject(("trade_id", "102"), ("symbol", "\"XBT/USD\""))));

        frame.Kind.ShouldBe(KrakenV2FrameKind.Trades);
        frame.TradeCount.ShouldBe(2);
        frame.RejectedCount.ShouldBe(2);
        _trades.Select(t => t.TradeId.Number).ShouldBe([100L, 102L]);
        _trades.ShouldAllBe(t => t.Instrument == BtcUsd); // XBT/USD is BTC/USD under its legacy name
        _rejections[0].ShouldBe(new TradeRejection(TradeRejectReason.InvalidQuantity, "quantity must be positive", "BTC/USD", "101"));
        _rejections[1].Reason.ShouldBe(TradeRejectReason.InvalidField);
    }

    [Theory]
    [InlineData("5.147e-1", "0.5147")]
    [InlineData("5147E-4", "0.5147")]
    [InlineData("8.37443e4", "83744.3")]
    [InlineData("12E+2", "1200")]
    [InlineData("0.00044780", "0.00044780")]
    [InlineData("40.0", "40.0")]
    [InlineData("1e-8", "0.00000001")]
    public void Numbers_with_exponents_are_exact_when_representable(string price, string expected)
    {
        var frame = Parse(Update(TradeObject(("price", price))));

        frame.TradeCount.ShouldBe(1, _rejections.FirstOrDefault()?.Detail);
        Text(_trades[0].Price).ShouldBe(expected);
    }

    [Theory]
    [InlineData("2026-09-25T17:48:26.844359Z", 844_359)]
    [InlineData("2026-09-25T17:48:26.844359999Z", 844_359)] // nanoseconds: sub-microsecond digits are truncated
    [InlineData("2026-09-25T17:48:26.8Z", 800_000)]
    [InlineData("2026-09-25T17:48:26Z", 0)]
    [InlineData("2026-09-25t17:48:26.844359z", 844_359)]
    public void Timestamps_are_read_to_the_microsecond(string timestamp, long micros)
    {
        Parse(Update(TradeObject(("timestamp", $"\"{timestamp}\""))));

        _trades.ShouldHaveSingleItem().ExchangeTime.ShouldBe(new UnixMicros(At("2026-09-25T17:48:26Z").Value + micros));
    }

    [Fact]
    public void A_timestamp_with_an_offset_is_converted_to_UTC()
    {
        Parse(Update(TradeObject(("timestamp", "\"2026-09-25T19:48:26.844359+02:00\""))));

        _trades.ShouldHaveSingleItem().ExchangeTime.ShouldBe(At("2026-09-25T17:48:26.844359Z"));
    }

    [Fact]
    public void Escaped_names_and_values_are_read_like_plain_ones()
    {
        var frame = Parse("""{"ch\u0061nnel":"trade","type":"update","data":[{"symbol":"BTC\/USD","s\u0069de":"buy","price":83744.3,"qty":0.5,"trade_id":9,"timestamp":"2026-09-25T17:48:26.844359\u005A"}]}""");

        frame.TradeCount.ShouldBe(1, _rejections.FirstOrDefault()?.Detail);
        _trades[0].Instrument.ShouldBe(BtcUsd);
        _trades[0].Side.ShouldBe(TradeSide.Buy);
    }

    [Fact]
    public void Unknown_trade_types_and_extra_fields_do_not_lose_trades()
    {
        var frame = Parse($$"""{"channel":"trade","type":"replay","extra":{"a":[1,2]},"data":[{{TradeObject(("ord_type", "\"iceberg\""))}}]}""");

        frame.Kind.ShouldBe(KrakenV2FrameKind.Trades);
        frame.TradeType.ShouldBe(KrakenV2TradeMessageType.Unknown);
        frame.TradeCount.ShouldBe(1);
    }

    [Fact]
    public void The_normalizer_adds_trades_and_rejections_and_nothing_for_control_messages()
    {
        ITradeFrameNormalizer normalizer = new KrakenFrameNormalizer(Registry);

        normalizer.Normalize(Load("ws_trade_snapshot.json"), DocsReceivedAt, _trades, _rejections);
        normalizer.Normalize(Load("ws_subscribe_result.json"), DocsReceivedAt, _trades, _rejections);
        normalizer.Normalize(Load("ws_heartbeat.json"), DocsReceivedAt, _trades, _rejections);
        normalizer.Normalize("{"u8, DocsReceivedAt, _trades, _rejections);

        normalizer.Exchange.ShouldBe(Exchange.Kraken);
        _trades.Count.ShouldBe(2);
        _rejections.ShouldHaveSingleItem().Reason.ShouldBe(TradeRejectReason.MalformedJson);
    }

    [Fact]
    public void The_request_records_serialize_to_the_docs_requests()
    {
        var subscribe = JsonSerializer.SerializeToNode(KrakenV2SubscriptionRequest.SubscribeTrades(["MATIC/USD"], snapshot: true, requestId: null));
        var unsubscribe = JsonSerializer.SerializeToNode(KrakenV2SubscriptionRequest.UnsubscribeTrades(["MATIC/USD"], requestId: null));
        var ping = JsonSerializer.SerializeToNode(KrakenV2PingRequest.Create(101));

        JsonNode.DeepEquals(subscribe, JsonNode.Parse(Load("ws_subscribe_request.json"))).ShouldBeTrue(subscribe!.ToJsonString());
        JsonNode.DeepEquals(ping, JsonNode.Parse(Load("ws_ping_request.json"))).ShouldBeTrue(ping!.ToJsonString());
        // The docs' unsubscribe sample carries "snapshot", which an unsubscribe does not need; K2 leaves it out.
        unsubscribe!.ToJsonString().ShouldBe("""{"method":"unsubscribe","params":{"channel":"trade","symbol":["MATIC/USD"]}}""");
        JsonSerializer.Serialize(KrakenV2SubscriptionRequest.SubscribeTrades(["BTC/USD", "ETH/USD"], snapshot: false, requestId: 7))
            .ShouldBe("""{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD","ETH/USD"],"snapshot":false},"req_id":7}""");
    }
}

using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Core.Trades;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Binance;

public sealed class BinanceWebSocketTests
{
    /// <summary>100 trades per second on each of the repository's twelve Binance symbols.</summary>
    private const double TradesPerSecond = 1200;

    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Combined_stream_acknowledges_subscribe_then_sends_every_later_trade_exactly()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await BinanceTestClient.ConnectAsync(Url(simulator, "/stream"), ct);

        await client.SendAsync("""{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}""", ct);
        Assert.Equal("""{"result":null,"id":1}""", await client.ReceiveAsync(ct));
        time.Advance(OneSecond);

        var printed = simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT");
        Assert.Equal(100, printed.Count);
        var frames = await client.ReceiveAsync(printed.Count, ct);
        var now = UnixMicros.Now(time).Value / 1_000;
        for (var i = 0; i < printed.Count; i++)
        {
            var eventTime = JsonDocument.Parse(frames[i]).RootElement.GetProperty("data").GetProperty("E").GetInt64();
            Assert.InRange(eventTime, ExpectedBinanceJson.Time(printed[i], BinanceTimeUnit.Millisecond), now);
            Assert.Equal(ExpectedBinanceJson.TradeEvent(printed[i], eventTime, BinanceTimeUnit.Millisecond, "btcusdt@trade"), frames[i]);
        }
    }

    [Fact]
    public async Task Raw_stream_sends_bare_trade_events()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await ConnectReadyAsync(simulator, "/ws/ethusdt@trade", ct);

        time.Advance(OneSecond);

        var printed = simulator.GroundTruth.For(Exchange.Binance, "ETHUSDT");
        var frames = await client.ReceiveAsync(printed.Count, ct);
        for (var i = 0; i < printed.Count; i++)
        {
            var eventTime = JsonDocument.Parse(frames[i]).RootElement.GetProperty("E").GetInt64();
            Assert.Equal(ExpectedBinanceJson.TradeEvent(printed[i], eventTime, BinanceTimeUnit.Millisecond, null), frames[i]);
        }
    }

    [Fact]
    public async Task Bare_raw_endpoint_streams_after_a_subscribe()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await BinanceTestClient.ConnectAsync(Url(simulator, "/ws"), ct);

        await client.SendAsync("""{"method":"SUBSCRIBE","params":["solusdt@trade"],"id":7}""", ct);
        Assert.Equal("""{"result":null,"id":7}""", await client.ReceiveAsync(ct));
        time.Advance(OneSecond);

        var printed = simulator.GroundTruth.For(Exchange.Binance, "SOLUSDT");
        var frames = await client.ReceiveAsync(printed.Count, ct);
        Assert.All(frames, f => Assert.StartsWith("""{"e":"trade",""", f, StringComparison.Ordinal));
        Assert.Equal(printed.Select(t => t.TradeId), frames.Select(f => JsonDocument.Parse(f).RootElement.GetProperty("t").GetInt64()));
    }

    [Theory]
    [InlineData("/ws/xrpusdt@trade", BinanceTimeUnit.Millisecond, false)]
    [InlineData("/ws/xrpusdt@trade?timeUnit=MILLISECOND", BinanceTimeUnit.Millisecond, false)]
    [InlineData("/ws/xrpusdt@trade?timeUnit=MICROSECOND", BinanceTimeUnit.Microsecond, false)]
    [InlineData("/ws/xrpusdt@trade?timeUnit=microsecond", BinanceTimeUnit.Microsecond, false)]
    [InlineData("/stream?streams=xrpusdt@trade", BinanceTimeUnit.Millisecond, true)]
    [InlineData("/stream?streams=xrpusdt@trade&timeUnit=MICROSECOND", BinanceTimeUnit.Microsecond, true)]
    public async Task Times_are_milliseconds_unless_microseconds_are_asked_for_and_K2s_parser_reads_every_frame(
        string path, BinanceTimeUnit unit, bool combined)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await ConnectReadyAsync(simulator, path, ct);

        time.Advance(OneSecond);

        var printed = simulator.GroundTruth.For(Exchange.Binance, "XRPUSDT");
        var frames = await client.ReceiveAsync(printed.Count, ct);
        var receivedAt = UnixMicros.Now(time);
        for (var i = 0; i < printed.Count; i++)
        {
            var data = JsonDocument.Parse(frames[i]).RootElement;
            if (combined)
            {
                data = data.GetProperty("data");
            }

            Assert.Equal(ExpectedBinanceJson.Time(printed[i], unit), data.GetProperty("T").GetInt64());
            var frame = BinanceTradeParser.Parse(Encoding.UTF8.GetBytes(frames[i]), receivedAt, unit, TestRegistries.Repository);
            Assert.Equal(BinanceFrameKind.Trade, frame.Kind);
            Assert.Equal(TradeId.FromNumber(printed[i].TradeId), frame.Trade.TradeId);
            Assert.Equal(printed[i].Price, frame.Trade.Price);
            Assert.Equal(printed[i].Quantity, frame.Trade.Quantity);
            Assert.Equal(printed[i].TakerSide, frame.Trade.Side);
            Assert.Equal("XRP-USDT", frame.Trade.Symbol);
            var expectedTime = unit == BinanceTimeUnit.Microsecond
                ? printed[i].TradeTime
                : UnixMicros.FromMilliseconds(printed[i].TradeTime.Value / 1_000);
            Assert.Equal(expectedTime, frame.Trade.ExchangeTime);
        }
    }

    [Fact]
    public async Task List_subscriptions_and_unsubscribe_change_what_is_sent()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await BinanceTestClient.ConnectAsync(Url(simulator, "/stream"), ct);

        await client.SendAsync("""{"method":"SUBSCRIBE","params":["btcusdt@trade","ethusdt@trade"],"id":1}""", ct);
        Assert.Equal("""{"result":null,"id":1}""", await client.ReceiveAsync(ct));
        await client.SendAsync("""{"method":"LIST_SUBSCRIPTIONS","id":2}""", ct);
        Assert.Equal("""{"result":["btcusdt@trade","ethusdt@trade"],"id":2}""", await client.ReceiveAsync(ct));
        await client.SendAsync("""{"method":"UNSUBSCRIBE","params":["btcusdt@trade"],"id":3}""", ct);
        Assert.Equal("""{"result":null,"id":3}""", await client.ReceiveAsync(ct));
        await client.SendAsync("""{"method":"LIST_SUBSCRIPTIONS","id":4}""", ct);
        Assert.Equal("""{"result":["ethusdt@trade"],"id":4}""", await client.ReceiveAsync(ct));

        time.Advance(OneSecond);
        var printed = simulator.GroundTruth.For(Exchange.Binance, "ETHUSDT");
        var frames = await client.ReceiveAsync(printed.Count, ct);
        Assert.All(frames, f => Assert.StartsWith("""{"stream":"ethusdt@trade",""", f, StringComparison.Ordinal));

        // Trades were queued before this request: its answer coming next proves no BTCUSDT trade was among them.
        await client.SendAsync("""{"method":"LIST_SUBSCRIPTIONS","id":5}""", ct);
        Assert.Equal("""{"result":["ethusdt@trade"],"id":5}""", await client.ReceiveAsync(ct));
    }

    [Fact]
    public async Task Set_property_combined_wraps_a_raw_connection()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await BinanceTestClient.ConnectAsync(Url(simulator, "/ws/adausdt@trade"), ct);

        await client.SendAsync("""{"method":"GET_PROPERTY","params":["combined"],"id":1}""", ct);
        Assert.Equal("""{"result":false,"id":1}""", await client.ReceiveAsync(ct));
        await client.SendAsync("""{"method":"SET_PROPERTY","params":["combined",true],"id":2}""", ct);
        Assert.Equal("""{"result":null,"id":2}""", await client.ReceiveAsync(ct));
        await client.SendAsync("""{"method":"GET_PROPERTY","params":["combined"],"id":3}""", ct);
        Assert.Equal("""{"result":true,"id":3}""", await client.ReceiveAsync(ct));

        time.Advance(OneSecond);
        var frames = await client.ReceiveAsync(simulator.GroundTruth.For(Exchange.Binance, "ADAUSDT").Count, ct);
        Assert.All(frames, f => Assert.StartsWith("""{"stream":"adausdt@trade","data":{"e":"trade",""", f, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"method":"LIST_SUBSCRIPTIONS","id":"abc123"}""", """{"result":[],"id":"abc123"}""")]
    [InlineData("""{"method":"LIST_SUBSCRIPTIONS","id":null}""", """{"result":[],"id":null}""")]
    [InlineData("""{"method":"LIST_SUBSCRIPTIONS","id":-9223372036854775808}""", """{"result":[],"id":-9223372036854775808}""")]
    public async Task Request_ids_are_echoed_in_their_own_type(string request, string answer)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartAsync(new ManualTimeProvider(), ct);
        await using var client = await BinanceTestClient.ConnectAsync(Url(simulator, "/stream"), ct);

        await client.SendAsync(request, ct);

        Assert.Equal(answer, await client.ReceiveAsync(ct));
    }

    [Theory]
    [InlineData("""{"method":"FOO","id":7}""",
        """{"error":{"code":2,"msg":"Invalid request: unknown variant `FOO`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`"},"id":7}""")]
    [InlineData("""{"method":"SUBSCRIBE","params":["foousdt@trade"],"id":8}""", """{"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":8}""")]
    [InlineData("""{"method":"SUBSCRIBE","params":["btcusdt@depth"],"id":8}""", """{"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":8}""")]
    [InlineData("""{"method":"SUBSCRIBE","params":["BTCUSDT@trade"],"id":8}""", """{"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":8}""")]
    [InlineData("""{"method":"UNSUBSCRIBE","params":[42],"id":8}""", """{"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":8}""")]
    [InlineData("""{"method":"SUBSCRIBE","id":9}""", """{"error":{"code":2,"msg":"Invalid request: missing field `params`"},"id":9}""")]
    [InlineData("""{"id":9}""", """{"error":{"code":2,"msg":"Invalid request: missing field `method`"},"id":9}""")]
    [InlineData("""{"method":"LIST_SUBSCRIPTIONS","id":1.5}""", """{"error":{"code":2,"msg":"Invalid request: request ID must be an unsigned integer"},"id":null}""")]
    [InlineData("""{"method":"LIST_SUBSCRIPTIONS"}""", """{"error":{"code":2,"msg":"Invalid request: request ID must be an unsigned integer"},"id":null}""")]
    [InlineData("""{"method":"LIST_SUBSCRIPTIONS","id":"not-alphanumeric"}""", """{"error":{"code":2,"msg":"Invalid request: request ID must be an unsigned integer"},"id":null}""")]
    [InlineData("""{"method":"GET_PROPERTY","params":["colour"],"id":10}""", """{"error":{"code":0,"msg":"Unknown property"},"id":10}""")]
    [InlineData("""{"method":"GET_PROPERTY","params":[],"id":10}""", """{"error":{"code":2,"msg":"Invalid request: property name must be a string"},"id":10}""")]
    [InlineData("""{"method":"SET_PROPERTY","params":["combined","yes"],"id":11}""", """{"error":{"code":1,"msg":"Invalid value type: expected Boolean"},"id":11}""")]
    [InlineData("""{"method":"SET_PROPERTY","params":["combined",true,1],"id":11}""", """{"error":{"code":2,"msg":"Invalid request: too many parameters"},"id":11}""")]
    [InlineData("""[1,2]""", """{"error":{"code":2,"msg":"Invalid request: expected a JSON object"},"id":null}""")]
    [InlineData("""{"method":"SUBSCRIBE",""", """{"error":{"code":3,"msg":"Invalid JSON: expected value at line 1 column 22"},"id":null}""")]
    public async Task Bad_requests_get_Binance_errors_that_K2s_parser_recognises(string request, string answer)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartAsync(new ManualTimeProvider(), ct);
        await using var client = await BinanceTestClient.ConnectAsync(Url(simulator, "/stream"), ct);

        await client.SendAsync(request, ct);

        var reply = await client.ReceiveAsync(ct);
        Assert.Equal(answer, reply);
        var frame = BinanceTradeParser.Parse(Encoding.UTF8.GetBytes(reply), default, BinanceTimeUnit.Millisecond, TestRegistries.Repository);
        Assert.Equal(BinanceFrameKind.RequestError, frame.Kind);
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task A_connection_carries_at_most_1024_streams()
    {
        var ct = TestContext.Current.CancellationToken;
        var registry = TestRegistries.Synthetic(BinanceEndpoints.MaxStreamsPerConnection + 1);
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = 0 }, registry, new ManualTimeProvider(), null, ct);
        await using var client = await BinanceTestClient.ConnectAsync(Url(simulator, "/stream"), ct);
        var streams = registry.All.Select(BinanceSymbols.TradeStream).ToList();

        await client.SendAsync(Subscribe(streams[..^1], 1), ct);
        Assert.Equal("""{"result":null,"id":1}""", await client.ReceiveAsync(ct));
        await client.SendAsync(Subscribe(streams[^1..], 2), ct);
        Assert.Equal("""{"error":{"code":4,"msg":"Too many subscriptions"},"id":2}""", await client.ReceiveAsync(ct));
        Assert.Equal(BinanceEndpoints.MaxStreamsPerConnection, Assert.Single(simulator.Sessions).Streams.Count);
    }

    [Fact]
    public async Task Unknown_streams_or_time_units_in_the_url_refuse_the_handshake()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartAsync(new ManualTimeProvider(), ct);

        foreach (var path in new[] { "/ws/foousdt@trade", "/stream?streams=btcusdt@trade/foo", "/ws/btcusdt@trade?timeUnit=NANOSECOND" })
        {
            var refused = await Assert.ThrowsAsync<WebSocketException>(() => BinanceTestClient.ConnectAsync(Url(simulator, path), ct));
            Assert.Equal(WebSocketError.NotAWebSocket, refused.WebSocketErrorCode);
        }

        Assert.Empty(simulator.Sessions);
    }

    [Fact]
    public async Task Five_messages_a_second_are_allowed()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await BinanceTestClient.ConnectAsync(Url(simulator, "/stream"), ct);

        for (var second = 0; second < 3; second++)
        {
            for (var id = 0; id < BinanceEndpoints.MaxIncomingMessagesPerSecond; id++)
            {
                await client.SendAsync($$"""{"method":"LIST_SUBSCRIPTIONS","id":{{id}}}""", ct);
            }

            var answers = await client.ReceiveAsync(BinanceEndpoints.MaxIncomingMessagesPerSecond, ct);
            Assert.Equal(
                Enumerable.Range(0, BinanceEndpoints.MaxIncomingMessagesPerSecond).Select(id => $$"""{"result":[],"id":{{id}}}"""),
                answers);
            time.Advance(OneSecond);
        }

        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task A_sixth_message_within_a_second_disconnects_with_1008()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartAsync(new ManualTimeProvider(), ct);
        await using var client = await BinanceTestClient.ConnectAsync(Url(simulator, "/stream"), ct);

        for (var id = 0; id <= BinanceEndpoints.MaxIncomingMessagesPerSecond; id++)
        {
            await client.SendAsync($$"""{"method":"LIST_SUBSCRIPTIONS","id":{{id}}}""", ct);
        }

        var (status, description) = await client.ReceiveCloseAsync(ct);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal("Too many requests", description);
        await Eventually.TrueAsync(() => simulator.Sessions.Count == 0, BinanceTestClient.Timeout, "the session did not end", ct);
    }

    [Fact]
    public async Task Ping_frames_from_the_client_count_against_the_message_limit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartAsync(new ManualTimeProvider(), ct);
        using var client = await RawWebSocketClient.ConnectAsync(Url(simulator, "/ws"), ct);

        for (var i = 0; i <= BinanceEndpoints.MaxIncomingMessagesPerSecond; i++)
        {
            await client.SendFrameAsync(RawWebSocketClient.PingOpcode, [], ct);
        }

        // The server answers the pings it accepted with pongs, then closes.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(BinanceTestClient.Timeout);
        var frame = await client.ReadFrameAsync(timeout.Token);
        while (frame is { Opcode: RawWebSocketClient.PongOpcode })
        {
            frame = await client.ReadFrameAsync(timeout.Token);
        }

        Assert.NotNull(frame);
        Assert.Equal(RawWebSocketClient.CloseOpcode, frame.Value.Opcode);
        Assert.Equal((int)WebSocketCloseStatus.PolicyViolation, (frame.Value.Payload[0] << 8) | frame.Value.Payload[1]);
        Assert.Equal("Too many requests", Encoding.UTF8.GetString(frame.Value.Payload.AsSpan(2)));
    }

    [Fact]
    public async Task Server_pings_and_drops_a_client_that_never_answers()
    {
        var ct = TestContext.Current.CancellationToken;

        // Short on purpose: the keep-alive runs on the system clock, and a scheduling stall only delays the drop.
        var options = new SimulatorOptions
        {
            TradesPerSecond = 0,
            BinancePingInterval = TimeSpan.FromMilliseconds(200),
            BinancePongTimeout = TimeSpan.FromMilliseconds(500),
        };
        await using var simulator = await ExchangeSimulator.StartAsync(options, TestRegistries.Repository, null, ct);
        using var client = await RawWebSocketClient.ConnectAsync(Url(simulator, "/ws/btcusdt@trade"), ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(BinanceTestClient.Timeout);

        var first = await client.ReadFrameAsync(timeout.Token);
        Assert.Equal(RawWebSocketClient.PingOpcode, first?.Opcode);

        // Never answering: the server cuts the connection once the pong timeout passes (no close frame).
        var frame = first;
        while (frame is { Opcode: RawWebSocketClient.PingOpcode })
        {
            frame = await client.ReadFrameAsync(timeout.Token);
        }

        Assert.Null(frame);
        await Eventually.TrueAsync(() => simulator.Sessions.Count == 0, BinanceTestClient.Timeout, "the session did not end", ct);
    }

    [Fact]
    public async Task A_client_that_answers_pings_keeps_being_pinged_and_stays_connected()
    {
        var ct = TestContext.Current.CancellationToken;

        // The keep-alive runs on the system clock (.NET's WebSocket cannot take a TimeProvider), so the pong timeout
        // is generous: a stall of several seconds in this loop or the server must not cut a client that answers.
        var options = new SimulatorOptions
        {
            TradesPerSecond = 0,
            BinancePingInterval = TimeSpan.FromMilliseconds(100),
            BinancePongTimeout = TimeSpan.FromSeconds(10),
        };
        await using var simulator = await ExchangeSimulator.StartAsync(options, TestRegistries.Repository, null, ct);
        using var client = await RawWebSocketClient.ConnectAsync(Url(simulator, "/stream"), ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(BinanceTestClient.Timeout);

        // The server sends no new ping while one is unanswered, so each ping after the first shows that the pong to
        // the one before it was accepted; the ping after the last answer shows the connection is still open.
        const int Answered = 5;
        for (var pings = 0; pings <= Answered; pings++)
        {
            var ping = await client.ReadFrameAsync(timeout.Token);
            Assert.Equal(RawWebSocketClient.PingOpcode, ping?.Opcode);
            if (pings < Answered)
            {
                await client.SendFrameAsync(RawWebSocketClient.PongOpcode, ping!.Value.Payload, timeout.Token);
            }
        }

        Assert.Single(simulator.Sessions);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_while_printing_goes_on()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = 20_000 }, TestRegistries.Synthetic(1), time, null, ct);
        using var client = await RawWebSocketClient.ConnectAsync(Url(simulator, "/ws/a0usdt@trade"), ct);
        await Eventually.TrueAsync(() => simulator.Sessions.Count == 1, BinanceTestClient.Timeout, "the session was not listed", ct);

        // 200 000 trades: more than the socket buffers and the session's queue can hold for a client that never reads.
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(200_000, simulator.GroundTruth.Count);
        await Eventually.TrueAsync(() => simulator.Sessions.Count == 0, BinanceTestClient.Timeout, "the slow session was not cut", ct);
    }

    private static Task<ExchangeSimulator> StartAsync(ManualTimeProvider time, CancellationToken cancellationToken) =>
        ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = TradesPerSecond }, TestRegistries.Repository, time, null, cancellationToken);

    private static Uri Url(ExchangeSimulator simulator, string pathAndQuery) => new($"{simulator.BinanceWebSocketBase}{pathAndQuery}");

    /// <summary>Connects and completes one LIST_SUBSCRIPTIONS round trip, so the session is serving before time moves.</summary>
    private static async Task<BinanceTestClient> ConnectReadyAsync(ExchangeSimulator simulator, string pathAndQuery, CancellationToken cancellationToken)
    {
        var client = await BinanceTestClient.ConnectAsync(Url(simulator, pathAndQuery), cancellationToken);
        await client.SendAsync("""{"method":"LIST_SUBSCRIPTIONS","id":0}""", cancellationToken);
        Assert.EndsWith("""],"id":0}""", await client.ReceiveAsync(cancellationToken), StringComparison.Ordinal);
        return client;
    }

    private static string Subscribe(IEnumerable<string> streams, long id) =>
        JsonSerializer.Serialize(new { method = "SUBSCRIBE", @params = streams, id });
}

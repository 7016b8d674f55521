using System.Globalization;
using System.Net.WebSockets;
using K2.Core;
using K2.Core.Exchanges.Kraken;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Kraken;

public sealed class KrakenWebSocketTests
{
    /// <summary>100 trades per second on each of the repository's eleven Kraken symbols: one per symbol per 10 ms tick.</summary>
    private const double TradesPerSecond = 1100;

    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan OneTick = TimeSpan.FromMilliseconds(10);

    internal static Instrument Kraken(string symbol) =>
        TestRegistries.Repository.TryGet(Exchange.Kraken, symbol, out var instrument) ? instrument : throw new ArgumentException(symbol);

    internal static Task<ExchangeSimulator> StartAsync(ManualTimeProvider time, CancellationToken cancellationToken, double tradesPerSecond = TradesPerSecond, bool paused = false) =>
        ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = tradesPerSecond, StartPaused = paused }, TestRegistries.Repository, time, null, cancellationToken);

    /// <summary>Receives update messages until they hold <paramref name="count"/> trades; each message is checked against K2's parser.</summary>
    internal static async Task<List<(string Message, List<Trade> Trades)>> ReceiveUpdatesAsync(
        KrakenTestClient client, int count, UnixMicros receivedAt, CancellationToken cancellationToken)
    {
        var updates = new List<(string, List<Trade>)>();
        for (var received = 0; received < count;)
        {
            var message = await client.ReceiveAsync(cancellationToken);
            var (frame, trades, rejections) = KrakenTestClient.Parse(message, receivedAt, TestRegistries.Repository);
            Assert.Equal(KrakenV2FrameKind.Trades, frame.Kind);
            Assert.Equal(KrakenV2TradeMessageType.Update, frame.TradeType);
            Assert.Empty(rejections);
            updates.Add((message, trades));
            received += trades.Count;
        }

        return updates;
    }

    [Fact]
    public async Task A_connection_is_greeted_with_the_status_message()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);

        var session = Assert.Single(simulator.Sessions, s => s.Exchange == Exchange.Kraken);
        Assert.Equal(ExpectedKrakenJson.Status(session.Id), client.Greeting);
        var (frame, _, _) = KrakenTestClient.Parse(client.Greeting, UnixMicros.Now(time), TestRegistries.Repository);
        Assert.Equal(new KrakenV2Frame(KrakenV2FrameKind.Status, SystemStatus: KrakenSystemStatus.Online, ConnectionId: (ulong)session.Id), frame);
        Assert.Equal(time.GetUtcNow(), session.ConnectedAt);
        Assert.Empty(session.Streams);
    }

    [Fact]
    public async Task A_subscription_is_acknowledged_then_every_later_trade_arrives_exactly_as_printed()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        var btc = Kraken("BTC-USD");

        var subscribedAt = UnixMicros.Now(time);
        var answers = await client.SubscribeAsync(["BTC/USD"], snapshot: false, requestId: 1, ct);
        time.Advance(OneSecond);

        Assert.Equal([ExpectedKrakenJson.SubscribeResult(1, "BTC/USD", false, subscribedAt)], answers);
        var (ack, _, _) = KrakenTestClient.Parse(answers[0], UnixMicros.Now(time), TestRegistries.Repository);
        Assert.Equal(KrakenV2FrameKind.SubscribeResult, ack.Kind);
        Assert.True(ack.Success);
        Assert.Equal(1, ack.RequestId);
        Assert.Equal("BTC/USD", ack.Symbol);
        Assert.Equal(["trade:BTC/USD"], Assert.Single(simulator.Sessions, s => s.Exchange == Exchange.Kraken).Streams);

        var printed = simulator.GroundTruth.For(Exchange.Kraken, "BTC/USD");
        Assert.Equal(100, printed.Count);
        var updates = await ReceiveUpdatesAsync(client, printed.Count, UnixMicros.Now(time), ct);
        var trades = updates.SelectMany(u => u.Trades).ToList();
        Assert.Equal(printed.Count, trades.Count);
        for (var i = 0; i < printed.Count; i++)
        {
            Assert.Same(btc, trades[i].Instrument);
            Assert.Equal(printed[i].TradeId, trades[i].TradeId.Number);
            Assert.Equal(printed[i].Price.ToString(CultureInfo.InvariantCulture), trades[i].Price.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(printed[i].Quantity.ToString(CultureInfo.InvariantCulture), trades[i].Quantity.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(printed[i].TakerSide, trades[i].Side);
            Assert.Equal(printed[i].TradeTime, trades[i].ExchangeTime);
        }

        var offset = 0;
        foreach (var (message, batch) in updates)
        {
            Assert.Equal(ExpectedKrakenJson.Trades("update", btc, printed.Skip(offset).Take(batch.Count)), message);
            offset += batch.Count;
        }

        Assert.Empty(await client.DrainAsync(ct));
    }

    [Fact]
    public async Task Trades_printed_in_one_tick_go_out_as_one_update_message()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        // 500 trades per second per symbol: five per 10 ms tick.
        await using var simulator = await StartAsync(time, ct, tradesPerSecond: 5_500);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        var eth = Kraken("ETH-USD");
        await client.SubscribeAsync(["ETH/USD"], snapshot: false, requestId: 1, ct);

        for (var tick = 0; tick < 20; tick++)
        {
            var before = simulator.GroundTruth.For(Exchange.Kraken, "ETH/USD").Count;
            time.Advance(OneTick);
            var printed = simulator.GroundTruth.For(Exchange.Kraken, "ETH/USD").Skip(before).ToList();

            Assert.InRange(printed.Count, 4, 6);
            Assert.Equal(ExpectedKrakenJson.Trades("update", eth, printed), await client.ReceiveAsync(ct));
        }

        Assert.Empty(await client.DrainAsync(ct));
    }

    [Fact]
    public async Task A_snapshot_holds_the_50_most_recent_trades_and_updates_resume_right_after_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        time.Advance(OneSecond);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        var sol = Kraken("SOL-USD");
        var before = simulator.GroundTruth.For(Exchange.Kraken, "SOL/USD");
        Assert.Equal(100, before.Count);

        var subscribedAt = UnixMicros.Now(time);
        await client.SendAsync("""{"method":"subscribe","params":{"channel":"trade","symbol":["SOL/USD"],"snapshot":true},"req_id":5}""", ct);
        var ack = await client.ReceiveAsync(ct);
        var snapshot = await client.ReceiveAsync(ct);
        time.Advance(OneSecond);

        Assert.Equal(ExpectedKrakenJson.SubscribeResult(5, "SOL/USD", true, subscribedAt), ack);
        Assert.Equal(ExpectedKrakenJson.Trades("snapshot", sol, before.TakeLast(50)), snapshot);
        var (frame, trades, _) = KrakenTestClient.Parse(snapshot, UnixMicros.Now(time), TestRegistries.Repository);
        Assert.Equal(KrakenV2TradeMessageType.Snapshot, frame.TradeType);
        Assert.Equal(before.TakeLast(50).Select(t => t.TradeId), trades.Select(t => t.TradeId.Number));

        var after = simulator.GroundTruth.For(Exchange.Kraken, "SOL/USD").Skip(100).ToList();
        var updates = await ReceiveUpdatesAsync(client, after.Count, UnixMicros.Now(time), ct);
        Assert.Equal(after.Select(t => t.TradeId), updates.SelectMany(u => u.Trades).Select(t => t.TradeId.Number));
        Assert.Equal(before[^1].TradeId + 1, after[0].TradeId);
    }

    [Fact]
    public async Task A_snapshot_of_a_quiet_symbol_is_empty()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, paused: true);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);

        await client.SendAsync("""{"method":"subscribe","params":{"channel":"trade","symbol":["DOT/USD"],"snapshot":true}}""", ct);

        Assert.Equal(
            $$"""{"method":"subscribe","result":{"channel":"trade","snapshot":true,"symbol":"DOT/USD"},"success":true,"time_in":"{{ExpectedKrakenJson.Time(UnixMicros.Now(time))}}","time_out":"{{ExpectedKrakenJson.Time(UnixMicros.Now(time))}}"}""",
            await client.ReceiveAsync(ct));
        Assert.Equal("""{"channel":"trade","type":"snapshot","data":[]}""", await client.ReceiveAsync(ct));
    }

    [Fact]
    public async Task Each_symbol_gets_its_own_answer_and_unknown_or_legacy_or_repeated_ones_are_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, paused: true);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        var now = UnixMicros.Now(time);

        var answers = await client.SubscribeAsync(["XBT/USD", "BTC/USD", "BTC/USD", "NOPE/USD"], snapshot: false, requestId: 9, ct);

        Assert.Equal(
        [
            ExpectedKrakenJson.Refusal("Currency pair not supported XBT/USD", "subscribe", 9, "XBT/USD", now),
            ExpectedKrakenJson.SubscribeResult(9, "BTC/USD", false, now),
            ExpectedKrakenJson.Refusal("Already subscribed", "subscribe", 9, "BTC/USD", now),
            ExpectedKrakenJson.Refusal("Currency pair not supported NOPE/USD", "subscribe", 9, "NOPE/USD", now),
        ], answers);
        var parsed = answers.Select(a => KrakenTestClient.Parse(a, now, TestRegistries.Repository).Frame).ToList();
        Assert.All(parsed, f => Assert.Equal(KrakenV2FrameKind.SubscribeResult, f.Kind));
        Assert.Equal([false, true, false, false], parsed.Select(f => f.Success));
        Assert.Equal(["XBT/USD", "BTC/USD", "BTC/USD", "NOPE/USD"], parsed.Select(f => f.Symbol));
    }

    [Fact]
    public async Task Unsubscribing_stops_that_symbols_trades_after_its_answer()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        await client.SubscribeAsync(["BTC/USD", "ETH/USD"], snapshot: false, requestId: 1, ct);
        var now = UnixMicros.Now(time);

        await client.SendAsync("""{"method":"unsubscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"req_id":2}""", ct);
        Assert.Equal(ExpectedKrakenJson.UnsubscribeResult(2, "BTC/USD", now), await client.ReceiveAsync(ct));
        await client.SendAsync("""{"method":"unsubscribe","params":{"channel":"trade","symbol":["BTC/USD","NOPE/USD"],"snapshot":true},"req_id":3}""", ct);
        Assert.Equal(ExpectedKrakenJson.Refusal("Subscription Not Found", "unsubscribe", 3, "BTC/USD", now), await client.ReceiveAsync(ct));
        Assert.Equal(ExpectedKrakenJson.Refusal("Currency pair not supported NOPE/USD", "unsubscribe", 3, "NOPE/USD", now), await client.ReceiveAsync(ct));
        time.Advance(OneSecond);

        var messages = await client.DrainAsync(ct);
        var trades = messages.SelectMany(m => KrakenTestClient.Parse(m, UnixMicros.Now(time), TestRegistries.Repository).Trades).ToList();
        Assert.Equal(simulator.GroundTruth.For(Exchange.Kraken, "ETH/USD").Select(t => t.TradeId), trades.Select(t => t.TradeId.Number));
        var (unsubscribed, _, _) = KrakenTestClient.Parse(ExpectedKrakenJson.UnsubscribeResult(2, "BTC/USD", now), now, TestRegistries.Repository);
        Assert.Equal(KrakenV2FrameKind.UnsubscribeResult, unsubscribed.Kind);
    }

    [Fact]
    public async Task A_ping_gets_a_pong_echoing_its_request_id()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, paused: true);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        var now = UnixMicros.Now(time);

        await client.SendAsync("""{"method":"ping","req_id":101}""", ct);
        var pong = await client.ReceiveAsync(ct);
        await client.SendAsync("""{"method":"ping"}""", ct);
        var bare = await client.ReceiveAsync(ct);

        Assert.Equal(ExpectedKrakenJson.Pong(101, now), pong);
        Assert.Equal($$"""{"method":"pong","time_in":"{{ExpectedKrakenJson.Time(now)}}","time_out":"{{ExpectedKrakenJson.Time(now)}}"}""", bare);
        var (frame, _, _) = KrakenTestClient.Parse(pong, now, TestRegistries.Repository);
        Assert.Equal(new KrakenV2Frame(KrakenV2FrameKind.Pong, Success: true, RequestId: 101, TimeIn: now, TimeOut: now), frame);
    }

    [Theory]
    [InlineData("not json", """{"error":"Malformed request","success":false,""")]
    [InlineData("[1]", """{"error":"Malformed request","success":false,""")]
    [InlineData("""{"req_id":4}""", """{"error":"Malformed request","req_id":4,"success":false,""")]
    [InlineData("""{"method":"ping","req_id":"x"}""", """{"error":"Malformed request","method":"ping","success":false,""")]
    [InlineData("""{"method":"dance","req_id":4}""", """{"error":"Method not found","method":"dance","req_id":4,"success":false,""")]
    [InlineData("""{"method":"ping","params":{},"req_id":4}""", """{"error":"Unsupported field: 'params' for the given msg type: ping","method":"ping","req_id":4,"success":false,""")]
    [InlineData("""{"method":"subscribe","req_id":4}""", """{"error":"EGeneral:Invalid arguments:params must be an object","method":"subscribe","req_id":4,"success":false,""")]
    [InlineData("""{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"]},"req_id":4}""", """{"error":"Unsupported event","method":"subscribe","req_id":4,"success":false,""")]
    [InlineData("""{"method":"subscribe","params":{"symbol":["BTC/USD"]},"req_id":4}""", """{"error":"EGeneral:Invalid arguments:channel must be a string","method":"subscribe","req_id":4,"success":false,""")]
    [InlineData("""{"method":"subscribe","params":{"channel":"trade","symbol":"BTC/USD"},"req_id":4}""", """{"error":"EGeneral:Invalid arguments:symbol must be a non-empty array of strings","method":"subscribe","req_id":4,"success":false,""")]
    [InlineData("""{"method":"subscribe","params":{"channel":"trade","symbol":[]},"req_id":4}""", """{"error":"EGeneral:Invalid arguments:symbol must be a non-empty array of strings","method":"subscribe","req_id":4,"success":false,""")]
    [InlineData("""{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":"yes"},"req_id":4}""", """{"error":"EGeneral:Invalid arguments:snapshot must be a boolean","method":"subscribe","req_id":4,"success":false,""")]
    [InlineData("""{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"depth":10},"req_id":4}""", """{"error":"Unsupported field: 'depth' for the given msg type: subscribe","method":"subscribe","req_id":4,"success":false,""")]
    [InlineData("""{"method":"unsubscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"token":"x"}""", """{"error":"Unsupported field: 'token' for the given msg type: unsubscribe","method":"unsubscribe","success":false,""")]
    public async Task Invalid_requests_are_answered_with_a_refusal_and_change_nothing(string request, string answerStart)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, paused: true);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        var at = ExpectedKrakenJson.Time(UnixMicros.Now(time));

        await client.SendAsync(request, ct);

        var answer = await client.ReceiveAsync(ct);
        Assert.Equal($$"""{{answerStart}}"time_in":"{{at}}","time_out":"{{at}}"}""", answer);
        var (frame, _, _) = KrakenTestClient.Parse(answer, UnixMicros.Now(time), TestRegistries.Repository);
        Assert.False(frame.Success);
        Assert.NotNull(frame.Error);
        Assert.Empty(Assert.Single(simulator.Sessions, s => s.Exchange == Exchange.Kraken).Streams);
    }

    [Fact]
    public async Task An_idle_subscribed_connection_gets_a_heartbeat_every_interval()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, paused: true);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);

        // Before any subscription there are none: Kraken starts them with the first.
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Empty(await client.DrainAsync(ct));
        await client.SubscribeAsync(["BTC/USD"], snapshot: false, requestId: 1, ct);

        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Empty(await client.DrainAsync(ct)); // the pong itself counts as a message: the next heartbeat is due 1 s after it
        time.Advance(TimeSpan.FromSeconds(3));

        var messages = await client.DrainAsync(ct);
        Assert.Equal(Enumerable.Repeat(ExpectedKrakenJson.Heartbeat, 3), messages);
        Assert.Equal(KrakenV2FrameKind.Heartbeat, KrakenTestClient.Parse(messages[0], UnixMicros.Now(time), TestRegistries.Repository).Frame.Kind);
    }

    [Fact]
    public async Task A_busy_connection_gets_no_heartbeats()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        await client.SubscribeAsync(["XRP/USD"], snapshot: false, requestId: 1, ct);

        for (var second = 0; second < 5; second++)
        {
            time.Advance(OneSecond);
        }

        var messages = await client.DrainAsync(ct);
        Assert.DoesNotContain(ExpectedKrakenJson.Heartbeat, messages);
        Assert.Equal(
            simulator.GroundTruth.For(Exchange.Kraken, "XRP/USD").Count,
            messages.Sum(m => KrakenTestClient.Parse(m, UnixMicros.Now(time), TestRegistries.Repository).Trades.Count));
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_once_its_queue_is_full()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        // Kraken instruments only, one trade per symbol per tick: eleven small updates every 10 ms.
        var registry = new InstrumentRegistry(TestRegistries.Repository.ForExchange(Exchange.Kraken));
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = TradesPerSecond, MaxTradesPerSymbol = 1_000 }, registry, time, null, ct);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        await client.SubscribeAsync([.. registry.All.Select(i => i.ExchangeSymbol)], snapshot: false, requestId: 1, ct);

        // 100 s of ticks queue 110,000 updates of about 200 bytes: the queue's 10,000 and far more than socket buffers hold.
        for (var second = 0; second < 100; second++)
        {
            time.Advance(OneSecond);
        }

        Assert.True(await client.ReceiveUntilCutAsync(ct));
    }

    [Fact]
    public async Task More_than_50_messages_in_a_second_get_the_rate_error_and_a_close()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, paused: true);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);

        for (var i = 0; i < 51; i++)
        {
            await client.SendAsync($$"""{"method":"ping","req_id":{{i}}}""", ct);
        }

        var (before, status, description) = await client.ReceiveCloseAsync(ct);
        Assert.Equal(51, before.Count);
        Assert.All(before.Take(50), (m, i) => Assert.StartsWith($$"""{"method":"pong","req_id":{{i}},""", m, StringComparison.Ordinal));
        Assert.Equal("""{"Error":"Exceeded msg rate"}""", before[50]);
        Assert.Equal(new KrakenV2Frame(KrakenV2FrameKind.Error, Error: "Exceeded msg rate"),
            KrakenTestClient.Parse(before[50], UnixMicros.Now(time), TestRegistries.Repository).Frame);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal("Exceeded msg rate", description);
    }

    [Fact]
    public async Task Fifty_messages_a_second_are_allowed_indefinitely()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, paused: true);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);

        for (var second = 0; second < 3; second++)
        {
            for (var i = 0; i < 49; i++)
            {
                await client.SendAsync("""{"method":"ping"}""", ct);
            }

            // The 50th of this second is DrainAsync's ping.
            Assert.Equal(49, (await client.DrainAsync(ct)).Count);
            time.Advance(OneSecond);
        }

        Assert.Equal(WebSocketState.Open, client.State);
    }
}

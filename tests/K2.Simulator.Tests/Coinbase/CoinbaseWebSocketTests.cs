using System.Net.WebSockets;
using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Simulator.Coinbase;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Coinbase;

public sealed class CoinbaseWebSocketTests
{
    /// <summary>Spread over the repository's eleven Coinbase symbols: 100 trades per second each, 25 per batch.</summary>
    private const double TradesPerSecond = 1100;

    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Batch = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task A_subscribe_gets_a_snapshot_then_the_acknowledgement_then_an_update_every_batch_interval()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await ConnectAsync(simulator, time, ct);

        await client.SendAsync("""{"type":"subscribe","product_ids":["ETH-USD","BTC-USD"],"channel":"market_trades"}""", ct);

        // Nothing has traded yet: the snapshot is one event without trades.
        Assert.Equal(
            """{"channel":"market_trades","client_id":"","timestamp":"2026-11-22T00:00:00Z","sequence_num":0,"events":[{"type":"snapshot","trades":[]}]}""",
            await client.ReceiveAsync(ct));
        Assert.Equal(
            ExpectedCoinbaseJson.Subscriptions(1, "2026-11-22T00:00:00Z", "\"market_trades\":[\"BTC-USD\",\"ETH-USD\"]"),
            await client.ReceiveAsync(ct));

        time.Advance(OneSecond);

        var btc = simulator.GroundTruth.For(Exchange.Coinbase, "BTC-USD");
        var eth = simulator.GroundTruth.For(Exchange.Coinbase, "ETH-USD");
        Assert.Equal(100, btc.Count);
        string[] timestamps = ["2026-11-22T00:00:00.25Z", "2026-11-22T00:00:00.5Z", "2026-11-22T00:00:00.75Z", "2026-11-22T00:00:01Z"];
        for (var batch = 0; batch < 4; batch++)
        {
            // One message per batch, one event per product, each trade exactly once.
            Assert.Equal(
                ExpectedCoinbaseJson.MarketTrades(2 + batch, timestamps[batch], "update", btc.Skip(25 * batch).Take(25), eth.Skip(25 * batch).Take(25)),
                await client.ReceiveAsync(ct));
        }
    }

    [Theory]
    [InlineData(CoinbaseSideConvention.Taker)]
    [InlineData(CoinbaseSideConvention.Maker)]
    public async Task K2_reads_every_update_into_exactly_the_ground_truth_under_either_side_convention(CoinbaseSideConvention sides)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, o => o.CoinbaseSideConvention = sides);
        await using var client = await ConnectAsync(simulator, time, ct, sides);
        var products = CoinbaseSymbols.MarketDataProductIds(Registry.ForExchange(Exchange.Coinbase)).ToArray();
        var (snapshot, ack) = await client.SubscribeAsync("market_trades", products, ct);

        time.Advance(TimeSpan.FromSeconds(2));
        simulator.Pause();
        time.Advance(Batch);

        var printed = simulator.GroundTruth.All.Where(t => t.Exchange == Exchange.Coinbase).ToList();
        Assert.Equal(2 * 1100, printed.Count);
        var received = await client.ReceiveTradesAsync(printed.Count, ct);

        Assert.All(received, r => Assert.Empty(r.Rejections));
        Assert.All(received, r => Assert.Equal(CoinbaseEventType.Update, r.Frame.EventType));
        Assert.Equal(
            Enumerable.Range(0, received.Count + 2).Select(i => (long?)i),
            new[] { snapshot!.Frame.SequenceNum, ack.Frame.SequenceNum }.Concat(received.Select(r => r.Frame.SequenceNum)));
        ShouldBeTheGroundTruth(received.SelectMany(r => r.Trades), printed);

        // The same frames read under the other convention give every trade the other side: the switch matters.
        var other = sides == CoinbaseSideConvention.Taker ? CoinbaseSideConvention.Maker : CoinbaseSideConvention.Taker;
        var misread = received.SelectMany(r => Parse(r.Text, other)).ToList();
        Assert.All(misread.Zip(received.SelectMany(r => r.Trades)), pair => Assert.NotEqual(pair.Second.Side, pair.First.Side));
    }

    [Fact]
    public async Task The_snapshot_holds_the_50_latest_trades_newest_first_and_updates_go_on_from_there_without_overlap()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        time.Advance(OneSecond);
        await using var client = await ConnectAsync(simulator, time, ct);

        var (snapshot, _) = await client.SubscribeAsync("market_trades", ["SOL-USD"], ct);
        var before = simulator.GroundTruth.For(Exchange.Coinbase, "SOL-USD");
        time.Advance(OneSecond);
        simulator.Pause();
        time.Advance(Batch);

        Assert.Equal(100, before.Count);
        Assert.Equal(
            ExpectedCoinbaseJson.MarketTrades(0, "2026-11-22T00:00:01Z", "snapshot", before.TakeLast(CoinbaseVenue.SnapshotTrades).Reverse()),
            snapshot!.Text);
        var all = simulator.GroundTruth.For(Exchange.Coinbase, "SOL-USD");
        var updates = await client.ReceiveTradesAsync(all.Count - before.Count, ct);
        ShouldBeTheGroundTruth(snapshot.Trades.Concat(updates.SelectMany(u => u.Trades)), all.Skip(before.Count - CoinbaseVenue.SnapshotTrades));
    }

    [Fact]
    public async Task Heartbeats_tick_every_interval_with_a_counter_per_connection_in_the_connection_s_sequence()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, o => o.StartPaused = true);
        await using var first = await ConnectAsync(simulator, time, ct);
        var (_, ack) = await first.SubscribeAsync("heartbeats", null, ct);
        Assert.Equal(ExpectedCoinbaseJson.Subscriptions(0, "2026-11-22T00:00:00Z", "\"heartbeats\":[\"heartbeats\"]"), ack.Text);

        time.Advance(TimeSpan.FromSeconds(2));
        await using var second = await ConnectAsync(simulator, time, ct);
        await second.SubscribeAsync("heartbeats", null, ct);
        time.Advance(OneSecond);

        for (var n = 1; n <= 3; n++)
        {
            Assert.Equal(
                $$"""{"channel":"heartbeats","client_id":"","timestamp":"2026-11-22T00:00:0{{n}}Z","sequence_num":{{n}},"events":[{"current_time":"2026-11-22 00:00:0{{n}} +0000 UTC m=+{{n}}.000000000","heartbeat_counter":{{n}}}]}""",
                await first.ReceiveAsync(ct));
        }

        var heartbeat = await second.ReceiveParsedAsync(ct);
        Assert.Equal(new CoinbaseFrame(CoinbaseFrameKind.Heartbeat, 1, "heartbeats", HeartbeatCounter: 1, Timestamp: UnixMicros.Now(time)), heartbeat.Frame);

        // Channels share one sequence; the acknowledgement lists every subscription.
        var (snapshot, both) = await first.SubscribeAsync("market_trades", ["BTC-USD"], ct);
        Assert.Equal(4, snapshot!.Frame.SequenceNum);
        Assert.Equal(ExpectedCoinbaseJson.Subscriptions(5, "2026-11-22T00:00:03Z", "\"heartbeats\":[\"heartbeats\"],\"market_trades\":[\"BTC-USD\"]"), both.Text);
    }

    [Fact]
    public async Task A_client_that_does_not_subscribe_within_the_timeout_is_closed_with_1008()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await ConnectAsync(simulator, time, ct);

        // A refused subscribe does not count.
        await client.SendAsync("""{"type":"subscribe","channel":"market_trades","product_ids":["NOPE-USD"]}""", ct);
        Assert.Equal(ExpectedCoinbaseJson.Error("Failed to subscribe", "NOPE-USD is not a valid product"), await client.ReceiveAsync(ct));
        time.Advance(TimeSpan.FromSeconds(5));

        var (status, description, before) = await client.ReceiveCloseAsync(ct);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal("No subscribe message within the timeout", description);
        Assert.Empty(before);
        await Eventually.TrueAsync(() => simulator.Sessions.Count == 0, CoinbaseTestClient.Timeout, "the session did not end", ct);
    }

    [Fact]
    public async Task A_subscribe_just_inside_the_timeout_keeps_the_connection()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, o => o.StartPaused = true);
        await using var client = await ConnectAsync(simulator, time, ct);

        time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        await client.SubscribeAsync("heartbeats", null, ct);
        time.Advance(TimeSpan.FromSeconds(10));

        var heartbeat = await client.ReceiveParsedAsync(ct);
        Assert.Equal(CoinbaseFrameKind.Heartbeat, heartbeat.Frame.Kind);
        Assert.Equal(WebSocketState.Open, client.State);
    }

    public static TheoryData<string, string, string> RefusedRequests => new()
    {
        { """{"type":"subscribe","product_ids":["BTC-USD"],"channels":["market_trades","heartbeats"]}""", "Failed to subscribe", "one channel per message: send a separate subscribe message for each channel" },
        { """{"type":"subscribe","product_ids":["BTC-USD"],"channel":["market_trades","heartbeats"]}""", "Failed to subscribe", "one channel per message: send a separate subscribe message for each channel" },
        { """{"type":"subscribe","product_ids":["BTC-USD"]}""", "Failed to subscribe", "'channel' is required: name exactly one channel per message" },
        { """{"type":"subscribe","channel":[]}""", "Failed to subscribe", "'channel' is required: name exactly one channel per message" },
        { """{"type":"subscribe","channel":7}""", "Failed to subscribe", "'channel' must be a single channel name" },
        { """{"type":"subscribe","channel":"level2","product_ids":["BTC-USD"]}""", "Failed to subscribe", "'level2' is not a channel this server serves (market_trades, heartbeats)" },
        { """{"type":"subscribe","channel":"market_trades"}""", "Failed to subscribe", "'product_ids' is required for market_trades" },
        { """{"type":"subscribe","channel":"market_trades","product_ids":[]}""", "Failed to subscribe", "'product_ids' is required for market_trades" },
        { """{"type":"subscribe","channel":"market_trades","product_ids":"BTC-USD"}""", "Failed to subscribe", "'product_ids' must be an array of strings" },
        { """{"type":"subscribe","channel":"market_trades","product_ids":["BTC-USD","DOGE-EUR"]}""", "Failed to subscribe", "DOGE-EUR is not a valid product" },
        { """{"type":"unsubscribe","channel":"market_trades","product_ids":["XYZ-USD"]}""", "Failed to unsubscribe", "XYZ-USD is not a valid product" },
        { """{"type":"hello","channel":"heartbeats"}""", "Unknown message type", "'hello' is neither subscribe nor unsubscribe" },
        { """[1,2]""", "Malformed message", "expected a JSON object" },
    };

    [Theory]
    [MemberData(nameof(RefusedRequests))]
    public async Task Requests_that_do_not_name_exactly_one_served_channel_get_an_error_that_K2_recognises(string request, string message, string reason)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await ConnectAsync(simulator, time, ct);

        await client.SendAsync(request, ct);

        var error = await client.ReceiveParsedAsync(ct);
        Assert.Equal(ExpectedCoinbaseJson.Error(message, reason), error.Text);
        Assert.Equal(new CoinbaseFrame(CoinbaseFrameKind.Error, ErrorMessage: message, Detail: reason), error.Frame);

        // Nothing was subscribed, and the connection is still served.
        var (snapshot, ack) = await client.SubscribeAsync("heartbeats", null, ct);
        Assert.Null(snapshot);
        Assert.Equal(["heartbeats"], ack.Frame.Subscriptions!.Keys);
        Assert.Equal(0, ack.Frame.SequenceNum);
    }

    [Fact]
    public async Task Invalid_JSON_gets_a_malformed_message_error()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await ConnectAsync(simulator, time, ct);

        await client.SendAsync("""{"type":"subscribe",""", ct);

        var error = await client.ReceiveParsedAsync(ct);
        Assert.Equal(CoinbaseFrameKind.Error, error.Frame.Kind);
        Assert.Equal("Malformed message", error.Frame.ErrorMessage);
        Assert.StartsWith("invalid JSON: ", error.Frame.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_USDC_subscribe_delivers_the_USD_book_under_the_USD_product_id()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await ConnectAsync(simulator, time, ct);

        var (_, ack) = await client.SubscribeAsync("market_trades", ["BTC-USDC"], ct);
        time.Advance(Batch);

        Assert.Equal(["BTC-USD"], ack.Frame.Subscriptions!["market_trades"]);
        var printed = simulator.GroundTruth.For(Exchange.Coinbase, "BTC-USD");
        var update = Assert.Single(await client.ReceiveTradesAsync(printed.Count, ct));
        Assert.Contains("\"product_id\":\"BTC-USD\"", update.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("USDC", update.Text, StringComparison.Ordinal);
        ShouldBeTheGroundTruth(update.Trades, printed);
    }

    [Fact]
    public async Task A_pair_listed_only_as_USDC_trades_under_its_USD_id_and_K2_files_it_under_the_USDC_instrument()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        var usdcOnly = new InstrumentRegistry([new Instrument(Exchange.Coinbase, "ETH-USDC", "ETH-USDC", "ETH", "USDC", 2, 8)]);
        await using var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions { TradesPerSecond = 100 }, usdcOnly, time, null, ct);
        await using var client = await CoinbaseTestClient.ConnectAsync(simulator, usdcOnly, time, ct);

        var (_, ack) = await client.SubscribeAsync("market_trades", [CoinbaseSymbols.MarketDataProductId(usdcOnly.All[0])], ct);
        time.Advance(Batch);

        Assert.Equal(["ETH-USD"], ack.Frame.Subscriptions!["market_trades"]);
        var printed = simulator.GroundTruth.For(Exchange.Coinbase, "ETH-USDC");
        var update = Assert.Single(await client.ReceiveTradesAsync(printed.Count, ct));
        Assert.Equal(
            ExpectedCoinbaseJson.MarketTrades(2, "2026-11-22T00:00:00.25Z", "update", printed.Select(t => t with { ExchangeSymbol = "ETH-USD" })),
            update.Text);
        Assert.All(update.Trades, t => Assert.Equal("ETH-USDC", t.Symbol));
        ShouldBeTheGroundTruth(update.Trades, printed);
    }

    [Fact]
    public async Task Unsubscribe_stops_a_product_at_once_and_acknowledges_what_is_left()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await ConnectAsync(simulator, time, ct);
        await client.SubscribeAsync("market_trades", ["BTC-USD", "ETH-USD"], ct);

        time.Advance(TimeSpan.FromMilliseconds(100)); // trades of both wait for the next batch
        await client.SendAsync(CoinbaseTestClient.Subscribe("market_trades", ["BTC-USD"], "unsubscribe"), ct);
        var ack = await client.ReceiveParsedAsync(ct);
        Assert.Equal(["ETH-USD"], ack.Frame.Subscriptions!["market_trades"]);
        Assert.Equal(2, ack.Frame.SequenceNum);

        var lastBatch = new UnixMicros(UnixMicros.Now(time).Value + 900_000);
        time.Advance(OneSecond);

        // Every ETH trade up to the batch at 1 s, including those that waited while BTC-USD was dropped; no BTC-USD trade.
        var eth = simulator.GroundTruth.For(Exchange.Coinbase, "ETH-USD").Where(t => t.TradeTime <= lastBatch).ToList();
        Assert.Equal(100, eth.Count);
        var updates = await client.ReceiveTradesAsync(eth.Count, ct);
        Assert.All(updates.SelectMany(u => u.Trades), t => Assert.Equal("ETH-USD", t.Symbol));
        ShouldBeTheGroundTruth(updates.SelectMany(u => u.Trades), eth);

        // Leaving the whole channel: nothing more, as the next message shows.
        await client.SendAsync("""{"type":"unsubscribe","channel":"market_trades"}""", ct);
        var none = await client.ReceiveParsedAsync(ct);
        Assert.Equal(ExpectedCoinbaseJson.Subscriptions(none.Frame.SequenceNum!.Value, "2026-11-22T00:00:01.1Z", ""), none.Text);
        time.Advance(OneSecond);
        await client.SendAsync("""{"type":"subscribe","channel":"heartbeats"}""", ct);
        Assert.Equal(CoinbaseFrameKind.Subscriptions, (await client.ReceiveParsedAsync(ct)).Frame.Kind);
    }

    [Fact]
    public async Task Eight_messages_a_second_are_allowed_and_a_ninth_gets_an_error_then_a_1008_close()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, o => o.StartPaused = true);
        await using var client = await ConnectAsync(simulator, time, ct);

        for (var second = 0; second < 2; second++)
        {
            for (var n = 0; n < CoinbaseEndpoints.MaxIncomingMessagesPerSecond; n++)
            {
                await client.SendAsync("""{"type":"subscribe","channel":"heartbeats"}""", ct);
                Assert.Equal(CoinbaseFrameKind.Subscriptions, (await client.ReceiveParsedAsync(ct)).Frame.Kind);
            }

            if (second == 0)
            {
                time.Advance(OneSecond);
                Assert.Equal(CoinbaseFrameKind.Heartbeat, (await client.ReceiveParsedAsync(ct)).Frame.Kind);
            }
        }

        await client.SendAsync("""{"type":"subscribe","channel":"heartbeats"}""", ct);

        var (status, description, before) = await client.ReceiveCloseAsync(ct);
        Assert.Equal([ExpectedCoinbaseJson.Error("Rate limit exceeded", "more than 8 messages in one second")], before);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal("Too many messages", description);
        await Eventually.TrueAsync(() => simulator.Sessions.Count == 0, CoinbaseTestClient.Timeout, "the session did not end", ct);
    }

    [Fact]
    public async Task Sessions_list_their_channels_and_products()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct);
        await using var client = await ConnectAsync(simulator, time, ct);

        await client.SubscribeAsync("market_trades", ["ETH-USD", "BTC-USDC"], ct);
        await client.SubscribeAsync("heartbeats", null, ct);

        var session = Assert.Single(simulator.Sessions);
        Assert.Equal(Exchange.Coinbase, session.Exchange);
        Assert.Equal(["heartbeats", "market_trades:BTC-USD", "market_trades:ETH-USD"], session.Streams);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_while_printing_goes_on()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, ct, o =>
        {
            o.StartPaused = true;
            o.CoinbaseHeartbeatInterval = TimeSpan.FromMilliseconds(1);
        });
        await using var client = await ConnectAsync(simulator, time, ct);
        await client.SubscribeAsync("heartbeats", null, ct);

        // A heartbeat a millisecond: far more than the socket buffers and the session's queue hold for a client that
        // never reads. Time moves until the session is cut, in steps, so the send loop can fill the socket meanwhile.
        for (var step = 0; step < 30 && simulator.Sessions.Count > 0; step++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
        }

        await Eventually.TrueAsync(() => simulator.Sessions.Count == 0, CoinbaseTestClient.Timeout, "the slow session was not cut", ct);
    }

    [Fact]
    public async Task The_Coinbase_addresses_follow_the_listening_port()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartAsync(new ManualTimeProvider(), ct);

        var port = simulator.BaseAddress.Port;
        Assert.Equal($"ws://127.0.0.1:{port}/coinbase", simulator.CoinbaseWebSocketUri.ToString());
        Assert.Equal($"http://127.0.0.1:{port}/coinbase", simulator.CoinbaseRestBase.ToString());
    }

    [Fact]
    public async Task A_plain_HTTP_request_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartAsync(new ManualTimeProvider(), ct);
        using var http = new HttpClient();

        using var response = await http.GetAsync(new UriBuilder(simulator.CoinbaseWebSocketUri) { Scheme = "http" }.Uri, ct);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    internal static InstrumentRegistry Registry => TestRegistries.Repository;

    internal static Task<ExchangeSimulator> StartAsync(ManualTimeProvider time, CancellationToken cancellationToken, Action<SimulatorOptions>? configure = null)
    {
        var options = new SimulatorOptions { TradesPerSecond = TradesPerSecond };
        configure?.Invoke(options);
        return ExchangeSimulator.StartAsync(options, Registry, time, null, cancellationToken);
    }

    internal static Task<CoinbaseTestClient> ConnectAsync(
        ExchangeSimulator simulator, ManualTimeProvider time, CancellationToken cancellationToken, CoinbaseSideConvention sides = CoinbaseSideConvention.Taker) =>
        CoinbaseTestClient.ConnectAsync(simulator, Registry, time, cancellationToken, sides);

    /// <summary>K2's trades are the printed ones, each exactly once, with equal ids, decimals, taker sides and times.</summary>
    internal static void ShouldBeTheGroundTruth(IEnumerable<Trade> trades, IEnumerable<PrintedTrade> printed)
    {
        static (string, string, decimal, decimal, TradeSide, long) Key(string symbol, string id, decimal price, decimal quantity, TradeSide side, UnixMicros time) =>
            (symbol, id, price, quantity, side, time.Value);

        var expected = printed.Select(t => Key(t.ExchangeSymbol, t.TradeId.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Price, t.Quantity, t.TakerSide, t.TradeTime))
            .Order().ToList();
        var actual = trades.Select(t => Key(t.Instrument.ExchangeSymbol, t.TradeId.ToString(), t.Price, t.Quantity, t.Side, t.ExchangeTime)).Order().ToList();
        Assert.Equal(expected, actual);
        Assert.All(trades, t => Assert.True(t.TradeId.IsNumeric, "an integer id read from its string stays numeric"));
    }

    private static List<Trade> Parse(string text, CoinbaseSideConvention sides)
    {
        List<Trade> trades = [];
        CoinbaseTradeParser.Parse(System.Text.Encoding.UTF8.GetBytes(text), new UnixMicros(1_795_305_600_000_000 + 10_000_000), Registry, sides, trades, []);
        return trades;
    }
}

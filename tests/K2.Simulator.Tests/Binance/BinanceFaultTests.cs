using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Core.Trades;
using K2.Simulator.Binance;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Binance;

/// <summary>What a Binance client sees of each fault, and that the fault counts say exactly what happened.</summary>
public sealed class BinanceFaultTests
{
    /// <summary>100 trades per second on each of the repository's twelve Binance symbols: one BTCUSDT trade per tick.</summary>
    private const double TradesPerSecond = 1200;

    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan OneTick = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task Skipped_trades_never_arrive_but_stay_in_ground_truth_and_on_REST()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, new SimulatorOptions { TradesPerSecond = TradesPerSecond }, ct);
        await using var client = await ConnectReadyAsync(simulator, "/ws/btcusdt@trade", ct);
        var skipUntil = UnixMicros.FromDateTimeOffset(time.GetUtcNow() + TimeSpan.FromMilliseconds(500));

        simulator.Faults.SkipWebSocketTrades(Exchange.Binance, TimeSpan.FromMilliseconds(500));
        time.Advance(OneSecond);

        var printed = simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT");
        Assert.Equal(100, printed.Count);
        var skipped = printed.Where(t => t.TradeTime < skipUntil).ToList();
        var sent = printed.Where(t => t.TradeTime >= skipUntil).ToList();
        Assert.Equal(49, skipped.Count);
        Assert.Equal(sent.Select(t => t.TradeId), (await client.ReceiveAsync(sent.Count, ct)).Select(TradeIdOf));
        await AssertNothingElseQueuedAsync(client, """["btcusdt@trade"]""", ct);
        Assert.Equal(skipped.Count, Count(simulator, FaultKind.SkippedTrade));

        using var http = new HttpClient();
        var rest = await http.GetStringAsync(
            RestUrl(simulator, $"/api/v3/historicalTrades?symbol=BTCUSDT&fromId={skipped[0].TradeId}&limit={skipped.Count}"), ct);
        Assert.Equal(ExpectedBinanceJson.RestTrades(skipped, BinanceTimeUnit.Millisecond), rest);
    }

    [Fact]
    public async Task A_stall_drops_trades_and_holds_answers_and_events_until_it_ends()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, new SimulatorOptions { TradesPerSecond = TradesPerSecond }, ct);
        await using var client = await ConnectReadyAsync(simulator, "/ws/btcusdt@trade", ct);
        var stallEnd = time.GetUtcNow() + OneSecond;

        simulator.Faults.Stall(Exchange.Binance, OneSecond);
        simulator.Faults.ServerShutdown(Exchange.Binance);
        await client.SendAsync("""{"method":"SUBSCRIBE","params":["ethusdt@trade"],"id":1}""", ct);
        await Eventually.TrueAsync(() => simulator.Sessions.Single().Streams.Contains("ethusdt@trade"), BinanceTestClient.Timeout,
            "the SUBSCRIBE was not handled", ct);
        time.Advance(OneSecond);

        // The event is rendered when it leaves: its time shows it waited for the end of the stall.
        Assert.Equal($$"""{"e":"serverShutdown","E":{{stallEnd.ToUnixTimeMilliseconds()}}}""", await client.ReceiveAsync(ct));
        Assert.Equal("""{"result":null,"id":1}""", await client.ReceiveAsync(ct));
        var printed = simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT").Concat(simulator.GroundTruth.For(Exchange.Binance, "ETHUSDT")).ToList();
        var end = UnixMicros.FromDateTimeOffset(stallEnd);
        var afterStall = printed.Where(t => t.TradeTime >= end).ToList();
        Assert.Equal(2, afterStall.Count);
        Assert.Equal(
            afterStall.Select(t => t.TradeId).Order(),
            (await client.ReceiveAsync(afterStall.Count, ct)).Select(TradeIdOf).Order());
        Assert.Equal(printed.Count - afterStall.Count, Count(simulator, FaultKind.StalledTrade));
    }

    [Fact]
    public async Task Duplicated_trade_frames_arrive_twice_byte_for_byte()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, new SimulatorOptions { TradesPerSecond = TradesPerSecond }, ct);
        await using var client = await ConnectReadyAsync(simulator, "/stream?streams=btcusdt@trade", ct);

        simulator.Faults.DuplicateFrames(Exchange.Binance, 3);
        time.Advance(OneSecond);

        var printed = simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT");
        var frames = await client.ReceiveAsync(printed.Count + 3, ct);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(frames[2 * i], frames[(2 * i) + 1]);
        }

        var expected = printed.Take(3).SelectMany(t => new[] { t.TradeId, t.TradeId }).Concat(printed.Skip(3).Select(t => t.TradeId));
        Assert.Equal(expected, frames.Select(TradeIdOf));
        await AssertNothingElseQueuedAsync(client, """["btcusdt@trade"]""", ct);
        Assert.Equal(3, Count(simulator, FaultKind.DuplicatedFrame));
    }

    [Fact]
    public async Task Reordered_trade_frames_arrive_swapped_with_the_next_and_none_is_lost()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, new SimulatorOptions { TradesPerSecond = TradesPerSecond }, ct);
        await using var client = await ConnectReadyAsync(simulator, "/ws/btcusdt@trade", ct);

        simulator.Faults.ReorderFrames(Exchange.Binance, 2);
        time.Advance(OneSecond);

        var ids = simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT").Select(t => t.TradeId).ToList();
        var frames = await client.ReceiveAsync(ids.Count, ct);
        Assert.Equal(new[] { ids[1], ids[0], ids[3], ids[2] }.Concat(ids.Skip(4)), frames.Select(TradeIdOf));
        await AssertNothingElseQueuedAsync(client, """["btcusdt@trade"]""", ct);
        Assert.Equal(2, Count(simulator, FaultKind.ReorderedFrame));
    }

    [Fact]
    public async Task A_held_trade_frame_with_nothing_to_swap_with_is_sent_after_the_hold_limit()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, new SimulatorOptions { TradesPerSecond = TradesPerSecond }, ct);
        await using var client = await ConnectReadyAsync(simulator, "/ws/btcusdt@trade", ct);
        simulator.Faults.ReorderFrames(Exchange.Binance, 1);

        time.Advance(OneTick);
        simulator.Pause();
        var trade = Assert.Single(simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT"));

        // The trade was queued before this request: its answer overtaking it shows the trade is held.
        await client.SendAsync("""{"method":"LIST_SUBSCRIPTIONS","id":1}""", ct);
        Assert.Equal("""{"result":["btcusdt@trade"],"id":1}""", await client.ReceiveAsync(ct));
        time.Advance(BinanceStreamConnection.ReorderHoldLimit);

        Assert.Equal(trade.TradeId, TradeIdOf(await client.ReceiveAsync(ct)));
        Assert.False(simulator.Faults.Counts(Exchange.Binance).ContainsKey(FaultKind.ReorderedFrame));
    }

    [Fact]
    public async Task A_held_trade_frame_is_sent_before_the_server_closes()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        var grace = BinanceStreamConnection.ReorderHoldLimit / 2;
        await using var simulator = await StartAsync(
            time, new SimulatorOptions { TradesPerSecond = TradesPerSecond, BinanceShutdownGrace = grace }, ct);
        await using var client = await ConnectReadyAsync(simulator, "/ws/btcusdt@trade", ct);
        simulator.Faults.ReorderFrames(Exchange.Binance, 1);

        time.Advance(OneTick);
        simulator.Pause();
        simulator.Faults.ServerShutdown(Exchange.Binance);
        time.Advance(grace);

        Assert.StartsWith("""{"e":"serverShutdown",""", await client.ReceiveAsync(ct), StringComparison.Ordinal);
        var trade = Assert.Single(simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT"));
        Assert.Equal(trade.TradeId, TradeIdOf(await client.ReceiveAsync(ct)));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await client.ReceiveCloseAsync(ct)).Status);
    }

    [Fact]
    public async Task Every_malformed_variant_is_rejected_by_K2s_parser_and_counted()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await StartAsync(time, new SimulatorOptions { TradesPerSecond = 0 }, ct);
        await using var raw = await ConnectReadyAsync(simulator, "/ws/btcusdt@trade", ct);
        await using var combined = await ConnectReadyAsync(simulator, "/stream?streams=ethusdt@trade&timeUnit=MICROSECOND", ct);
        TradeRejectReason[] expected =
        [
            TradeRejectReason.MalformedJson, // truncated
            TradeRejectReason.MalformedJson, // not an object
            TradeRejectReason.MissingField, // no "p"
            TradeRejectReason.InvalidPrice, // "-1.00000000" is no decimal string K2 accepts as a price
            TradeRejectReason.InvalidPrice, // nine decimals
            TradeRejectReason.UnknownSymbol,
            TradeRejectReason.InvalidField, // "t" as a string
            TradeRejectReason.InvalidTimestamp, // ten minutes ahead
        ];

        // In two calls on purpose: each connection goes on cycling through the variants.
        simulator.Faults.SendMalformedFrames(Exchange.Binance, 3);
        simulator.Faults.SendMalformedFrames(Exchange.Binance, 5);

        foreach (var (client, unit, isCombined) in new[] { (raw, BinanceTimeUnit.Millisecond, false), (combined, BinanceTimeUnit.Microsecond, true) })
        {
            var frames = await client.ReceiveAsync(expected.Length, ct);
            Assert.Equal(frames.Count, frames.Distinct().Count());
            Assert.All(frames, f => Assert.Equal(isCombined, f.StartsWith("""{"stream":""", StringComparison.Ordinal)));
            var parsed = frames.Select(f => BinanceTradeParser.Parse(Encoding.UTF8.GetBytes(f), UnixMicros.Now(time), unit, TestRegistries.Repository)).ToList();
            Assert.All(parsed, p => Assert.Equal(BinanceFrameKind.Rejected, p.Kind));
            Assert.Equal(expected, parsed.Select(p => p.RejectReason));

            // Ids of malformed trades are far below any printed id.
            Assert.All(parsed.Where(p => p.RawTradeId is not null), p => Assert.InRange(long.Parse(p.RawTradeId!, System.Globalization.CultureInfo.InvariantCulture), 1, 999));
        }

        Assert.Equal(2 * expected.Length, Count(simulator, FaultKind.MalformedFrame));
    }

    [Fact]
    public async Task Server_shutdown_is_announced_in_each_connections_shape_then_closes_after_the_grace()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        var options = new SimulatorOptions { TradesPerSecond = 0 };
        await using var simulator = await StartAsync(time, options, ct);
        await using var raw = await ConnectReadyAsync(simulator, "/ws/btcusdt@trade", ct);
        await using var combined = await ConnectReadyAsync(simulator, "/stream?streams=btcusdt@trade&timeUnit=MICROSECOND", ct);
        var now = UnixMicros.Now(time);

        simulator.Faults.ServerShutdown(Exchange.Binance);
        await using var late = await ConnectReadyAsync(simulator, "/ws/btcusdt@trade", ct);

        var rawEvent = await raw.ReceiveAsync(ct);
        var combinedEvent = await combined.ReceiveAsync(ct);
        Assert.Equal($$"""{"e":"serverShutdown","E":{{now.Value / 1_000}}}""", rawEvent);
        Assert.Equal($$"""{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":{{now.Value}}""" + "}}", combinedEvent);
        Assert.Equal(BinanceFrameKind.ServerShutdown,
            BinanceTradeParser.Parse(Encoding.UTF8.GetBytes(rawEvent), now, BinanceTimeUnit.Millisecond, TestRegistries.Repository).Kind);
        Assert.Equal(BinanceFrameKind.ServerShutdown,
            BinanceTradeParser.Parse(Encoding.UTF8.GetBytes(combinedEvent), now, BinanceTimeUnit.Microsecond, TestRegistries.Repository).Kind);

        time.Advance(options.BinanceShutdownGrace - TimeSpan.FromMilliseconds(1));
        await AssertNothingElseQueuedAsync(raw, """["btcusdt@trade"]""", ct);
        time.Advance(TimeSpan.FromMilliseconds(1));

        foreach (var client in new[] { raw, combined })
        {
            var (status, description) = await client.ReceiveCloseAsync(ct);
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
            Assert.Equal("Server shutdown", description);
        }

        await AssertNothingElseQueuedAsync(late, """["btcusdt@trade"]""", ct);
        Assert.Equal(WebSocketState.Open, late.State);
        Assert.Equal(2, Count(simulator, FaultKind.ServerShutdown));
    }

    [Fact]
    public async Task Each_connection_is_cut_when_it_reaches_its_lifetime()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        var lifetime = TimeSpan.FromMinutes(10);
        await using var simulator = await StartAsync(time, new SimulatorOptions { TradesPerSecond = 0, BinanceConnectionLifetime = lifetime }, ct);
        await using var first = await ConnectReadyAsync(simulator, "/ws/btcusdt@trade", ct);
        time.Advance(lifetime / 2);
        await using var second = await ConnectReadyAsync(simulator, "/ws/ethusdt@trade", ct);

        time.Advance((lifetime / 2) - TimeSpan.FromMilliseconds(1));
        await AssertNothingElseQueuedAsync(first, """["btcusdt@trade"]""", ct);
        time.Advance(TimeSpan.FromMilliseconds(1));

        var (status, description) = await first.ReceiveCloseAsync(ct);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
        Assert.Equal("Connection lifetime reached", description);
        await AssertNothingElseQueuedAsync(second, """["ethusdt@trade"]""", ct);
        Assert.Equal(1, Count(simulator, FaultKind.LifetimeCut));

        time.Advance(lifetime / 2);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await second.ReceiveCloseAsync(ct)).Status);
        Assert.Equal(2, Count(simulator, FaultKind.LifetimeCut));
    }

    private static Task<ExchangeSimulator> StartAsync(ManualTimeProvider time, SimulatorOptions options, CancellationToken cancellationToken) =>
        ExchangeSimulator.StartAsync(options, TestRegistries.Repository, time, null, cancellationToken);

    private static int Count(ExchangeSimulator simulator, FaultKind kind) =>
        simulator.Faults.Counts(Exchange.Binance).GetValueOrDefault(kind);

    private static long TradeIdOf(string frame)
    {
        var root = JsonDocument.Parse(frame).RootElement;
        return (root.TryGetProperty("data", out var data) ? data : root).GetProperty("t").GetInt64();
    }

    /// <summary>Connects and completes one LIST_SUBSCRIPTIONS round trip, so the session is serving before time moves.</summary>
    private static async Task<BinanceTestClient> ConnectReadyAsync(ExchangeSimulator simulator, string pathAndQuery, CancellationToken cancellationToken)
    {
        var client = await BinanceTestClient.ConnectAsync(new Uri($"{simulator.BinanceWebSocketBase}{pathAndQuery}"), cancellationToken);
        await client.SendAsync("""{"method":"LIST_SUBSCRIPTIONS","id":0}""", cancellationToken);
        Assert.EndsWith("""],"id":0}""", await client.ReceiveAsync(cancellationToken), StringComparison.Ordinal);
        return client;
    }

    /// <summary>Everything queued before this request was received already when its answer comes next.</summary>
    private static async Task AssertNothingElseQueuedAsync(BinanceTestClient client, string subscriptions, CancellationToken cancellationToken)
    {
        await client.SendAsync("""{"method":"LIST_SUBSCRIPTIONS","id":99}""", cancellationToken);
        Assert.Equal($$"""{"result":{{subscriptions}},"id":99}""", await client.ReceiveAsync(cancellationToken));
    }

    private static Uri RestUrl(ExchangeSimulator simulator, string pathAndQuery) => new($"{simulator.BinanceRestBase}{pathAndQuery}");
}

using System.Net;
using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Trades;
using K2.Simulator.Coinbase;
using K2.Testing;

namespace K2.Simulator.Tests.Coinbase;

/// <summary>Each fault as a client of the simulated Coinbase sees it, and as the fault counts record it.</summary>
public sealed class CoinbaseFaultTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Batch = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Skipped_trades_are_missing_from_the_feed_but_not_from_REST_and_the_sequence_shows_the_gap()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct);
        await using var client = await CoinbaseWebSocketTests.ConnectAsync(simulator, time, ct);
        await client.SubscribeAsync("market_trades", ["BTC-USD"], ct);
        time.Advance(OneSecond);
        var skipFrom = UnixMicros.Now(time);

        simulator.Faults.SkipWebSocketTrades(Exchange.Coinbase, TimeSpan.FromMilliseconds(500));
        time.Advance(OneSecond);
        simulator.Pause();
        time.Advance(Batch);

        var printed = simulator.GroundTruth.For(Exchange.Coinbase, "BTC-USD");
        var skipped = printed.Where(t => t.TradeTime > skipFrom && t.TradeTime < new UnixMicros(skipFrom.Value + 500_000)).ToList();
        Assert.Equal(49, skipped.Count); // printed at 1.01 s to 1.49 s
        var received = await client.ReceiveTradesAsync(printed.Count - skipped.Count, ct);
        CoinbaseWebSocketTests.ShouldBeTheGroundTruth(received.SelectMany(r => r.Trades), printed.Except(skipped));
        Assert.Equal(skipped.Count, simulator.Faults.Counts(Exchange.Coinbase)[FaultKind.SkippedTrade]);

        // Batches at 1.25 s (all skipped) and 1.5 s (one trade sent, the rest dropped with their message): two
        // messages never arrived, and the sequence says so.
        var sequence = received.Select(r => r.Frame.SequenceNum!.Value).ToList();
        Assert.Equal([2, 3, 4, 5, 8, 9, 10], sequence);

        // Still on REST: what a client backfills the gap from.
        using var http = new HttpClient();
        var body = await http.GetByteArrayAsync(CoinbaseRestTests.Ticker(simulator, "BTC-USD",
            $"limit=1000&start={CoinbaseRestTests.Seconds(skipped[0].TradeTime.Value)}&end={CoinbaseRestTests.Seconds(skipped[^1].TradeTime.Value + 1)}"), ct);
        List<Trade> backfilled = [];
        Assert.True(CoinbaseRestTradesParser.TryParse(body, received[0].Trades[0].Instrument, CoinbaseSideConvention.Taker, UnixMicros.Now(time), backfilled, []));
        CoinbaseWebSocketTests.ShouldBeTheGroundTruth(backfilled, skipped);
    }

    [Fact]
    public async Task A_stall_sends_nothing_not_even_heartbeats_but_sequence_numbers_and_counters_run_on()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct);
        await using var client = await CoinbaseWebSocketTests.ConnectAsync(simulator, time, ct);
        await client.SubscribeAsync("market_trades", ["BTC-USD"], ct); // sequence 0 and 1
        await client.SubscribeAsync("heartbeats", null, ct); // sequence 2
        time.Advance(OneSecond); // four updates and a heartbeat
        var stallFrom = UnixMicros.Now(time);
        var stallUntil = new UnixMicros(stallFrom.Value + 1_500_000);

        simulator.Faults.Stall(Exchange.Coinbase, TimeSpan.FromMilliseconds(1_500));
        time.Advance(TimeSpan.FromSeconds(2));
        simulator.Pause();
        time.Advance(Batch);

        // Updates due at 1.25 s to 2.25 s and the heartbeat at 2 s were never sent.
        var printed = simulator.GroundTruth.For(Exchange.Coinbase, "BTC-USD");
        var stalled = printed.Where(t => t.TradeTime > stallFrom && t.TradeTime <= new UnixMicros(stallFrom.Value + 1_250_000)).ToList();
        Assert.Equal(125, stalled.Count);
        var received = await client.ReceiveTradesAsync(printed.Count - stalled.Count, ct);
        while (received.Count(r => r.Frame.Kind == CoinbaseFrameKind.Heartbeat) < 2)
        {
            received.Add(await client.ReceiveParsedAsync(ct));
        }

        CoinbaseWebSocketTests.ShouldBeTheGroundTruth(received.SelectMany(r => r.Trades), printed.Except(stalled));
        Assert.Equal(stalled.Count, simulator.Faults.Counts(Exchange.Coinbase)[FaultKind.StalledTrade]);
        Assert.DoesNotContain(received, r => r.Frame.Timestamp > stallFrom && r.Frame.Timestamp < stallUntil);
        Assert.Equal([1L, 3L], received.Where(r => r.Frame.Kind == CoinbaseFrameKind.Heartbeat).Select(r => r.Frame.HeartbeatCounter!.Value));

        // Contiguous before and after; one gap of the six suppressed messages in between.
        var sequence = received.Select(r => r.Frame.SequenceNum!.Value).Order().ToList();
        Assert.Equal(Enumerable.Range(3, 5).Select(i => (long)i).Concat(Enumerable.Range(14, sequence.Count - 5).Select(i => (long)i)), sequence);
    }

    [Fact]
    public async Task A_duplicated_update_arrives_twice_byte_for_byte()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct);
        await using var client = await CoinbaseWebSocketTests.ConnectAsync(simulator, time, ct);
        await client.SubscribeAsync("market_trades", ["ETH-USD"], ct);

        simulator.Faults.DuplicateFrames(Exchange.Coinbase, 1);
        time.Advance(Batch * 2);

        var first = await client.ReceiveParsedAsync(ct);
        var again = await client.ReceiveParsedAsync(ct);
        var next = await client.ReceiveParsedAsync(ct);
        Assert.Equal(first.Text, again.Text);
        Assert.Equal(25, again.Trades.Count);
        Assert.Equal([2L, 2L, 3L], new[] { first, again, next }.Select(r => r.Frame.SequenceNum!.Value));
        Assert.Equal(1, simulator.Faults.Counts(Exchange.Coinbase)[FaultKind.DuplicatedFrame]);
    }

    [Fact]
    public async Task A_reordered_update_arrives_right_after_the_next_message_and_is_never_lost()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct);
        await using var client = await CoinbaseWebSocketTests.ConnectAsync(simulator, time, ct);
        await client.SubscribeAsync("market_trades", ["ETH-USD"], ct);

        simulator.Faults.ReorderFrames(Exchange.Coinbase, 1);
        time.Advance(Batch * 3);

        var received = await client.ReceiveTradesAsync(75, ct);
        Assert.Equal([3L, 2L, 4L], received.Select(r => r.Frame.SequenceNum!.Value));
        CoinbaseWebSocketTests.ShouldBeTheGroundTruth(received.SelectMany(r => r.Trades), simulator.GroundTruth.For(Exchange.Coinbase, "ETH-USD"));
        Assert.Equal(1, simulator.Faults.Counts(Exchange.Coinbase)[FaultKind.ReorderedFrame]);
    }

    [Fact]
    public async Task A_held_update_with_nothing_to_pass_it_goes_out_at_the_next_batch_tick()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct);
        await using var client = await CoinbaseWebSocketTests.ConnectAsync(simulator, time, ct);
        await client.SubscribeAsync("market_trades", ["ETH-USD"], ct);

        simulator.Faults.ReorderFrames(Exchange.Coinbase, 1);
        time.Advance(Batch);
        simulator.Pause();
        time.Advance(Batch);

        var update = Assert.Single(await client.ReceiveTradesAsync(25, ct));
        Assert.Equal(2, update.Frame.SequenceNum);
        Assert.False(simulator.Faults.Counts(Exchange.Coinbase).ContainsKey(FaultKind.ReorderedFrame), "no swap happened");
    }

    [Fact]
    public async Task Every_malformed_variant_is_rejected_by_K2_and_counted()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct, o => o.StartPaused = true);
        await using var client = await CoinbaseWebSocketTests.ConnectAsync(simulator, time, ct);
        await client.SubscribeAsync("market_trades", ["BTC-USD"], ct);

        simulator.Faults.SendMalformedFrames(Exchange.Coinbase, CoinbaseMalformedFrames.VariantCount);

        var frames = new List<CoinbaseTestClient.Received>();
        for (var i = 0; i < CoinbaseMalformedFrames.VariantCount; i++)
        {
            frames.Add(await client.ReceiveParsedAsync(ct));
        }

        Assert.All(frames, f => Assert.Empty(f.Trades));
        Assert.All(frames, f => Assert.Single(f.Rejections));
        Assert.Equal(
            [TradeRejectReason.MalformedJson, TradeRejectReason.InvalidField, TradeRejectReason.MissingField, TradeRejectReason.InvalidField,
                TradeRejectReason.UnknownSymbol, TradeRejectReason.InvalidTimestamp],
            frames.Select(f => f.Rejections[0].Reason));
        Assert.Equal(CoinbaseFrameKind.Rejected, frames[0].Frame.Kind);
        Assert.Contains("'price'", frames[1].Rejections[0].Detail, StringComparison.Ordinal);
        Assert.Contains("'size'", frames[3].Rejections[0].Detail, StringComparison.Ordinal);
        Assert.All(frames.Skip(1), f => Assert.Equal(CoinbaseFrameKind.MarketTrades, f.Frame.Kind));
        Assert.All(frames.Select(f => f.Rejections[0].RawTradeId).OfType<string>(), id => Assert.StartsWith(CoinbaseMalformedFrames.TradeIdPrefix, id, StringComparison.Ordinal));
        Assert.Equal(CoinbaseMalformedFrames.VariantCount, simulator.Faults.Counts(Exchange.Coinbase)[FaultKind.MalformedFrame]);

        // Each took a sequence number: the next message continues after all six, the cut one included.
        var (_, ack) = await client.SubscribeAsync("heartbeats", null, ct);
        Assert.Equal(2 + CoinbaseMalformedFrames.VariantCount, ack.Frame.SequenceNum);
        Assert.Equal([3L, 4L, 5L, 6L, 7L], frames.Skip(1).Select(f => f.Frame.SequenceNum!.Value));
    }

    [Theory]
    [InlineData(RestFault.TooManyRequests)]
    [InlineData(RestFault.Banned)]
    [InlineData(RestFault.Throttled)]
    public async Task Refused_REST_requests_get_429_with_Retry_After_and_are_counted(RestFault fault)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct);
        time.Advance(OneSecond);
        using var http = new HttpClient();

        simulator.Faults.FailRestRequests(Exchange.Coinbase, 2, fault, TimeSpan.FromMilliseconds(1_500));
        using var first = await http.GetAsync(CoinbaseRestTests.Ticker(simulator, "BTC-USD", "limit=10"), ct);
        using var second = await http.GetAsync(CoinbaseRestTests.Ticker(simulator, "NOPE-USD", ""), ct);
        using var third = await http.GetAsync(CoinbaseRestTests.Ticker(simulator, "BTC-USD", "limit=10"), ct);

        foreach (var refused in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("""{"error":"RATE_LIMIT_EXCEEDED","error_details":"Too many requests","message":"Too many requests"}""",
                await refused.Content.ReadAsStringAsync(ct));
        }

        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.Equal(2, simulator.Faults.Counts(Exchange.Coinbase)[FaultKind.RestTooManyRequests]);
    }

    [Fact]
    public async Task Drop_cuts_every_Coinbase_connection_without_a_close_frame()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct);
        await using var client = await CoinbaseWebSocketTests.ConnectAsync(simulator, time, ct);
        await client.SubscribeAsync("heartbeats", null, ct);

        Assert.Equal(1, simulator.Faults.DropConnections(Exchange.Coinbase));

        Assert.True(await client.ReceiveUntilCutAsync(ct));
        Assert.Equal(1, simulator.Faults.Counts(Exchange.Coinbase)[FaultKind.Drop]);
        await Eventually.TrueAsync(() => simulator.Sessions.Count == 0, CoinbaseTestClient.Timeout, "the session did not end", ct);
    }

    [Fact]
    public async Task Faults_can_be_armed_over_the_control_API()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct, o => o.StartPaused = true);
        await using var client = await CoinbaseWebSocketTests.ConnectAsync(simulator, time, ct);
        await client.SubscribeAsync("heartbeats", null, ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var armed = await http.PostAsync("/control/coinbase/faults/malformed?count=2", null, ct);

        Assert.Equal(HttpStatusCode.NoContent, armed.StatusCode);
        Assert.Equal(CoinbaseFrameKind.Rejected, (await client.ReceiveParsedAsync(ct)).Frame.Kind);
        Assert.Single((await client.ReceiveParsedAsync(ct)).Rejections);
        Assert.Equal("""{"MalformedFrame":2}""", await http.GetStringAsync("/control/coinbase/faults", ct));
    }
}

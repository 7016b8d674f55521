using System.Net;
using System.Text;
using K2.Core;
using K2.Core.Exchanges.Kraken;
using K2.Core.Trades;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Kraken;

/// <summary>Each fault as a client of the simulated Kraken sees it, and as the fault counts record it.</summary>
public sealed class KrakenFaultTests
{
    private static readonly TimeSpan OneTick = TimeSpan.FromMilliseconds(10);

    private static List<long> TradeIds(IEnumerable<string> messages, ManualTimeProvider time) =>
        [.. messages.SelectMany(m => KrakenTestClient.Parse(m, UnixMicros.Now(time), TestRegistries.Repository).Trades).Select(t => t.TradeId.Number)];

    private static List<long> GroundTruthIds(ExchangeSimulator simulator, string symbol) =>
        [.. simulator.GroundTruth.For(Exchange.Kraken, symbol).Select(t => t.TradeId)];

    [Fact]
    public async Task Skipped_trades_are_missing_on_the_socket_only_and_counted()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        await client.SubscribeAsync(["BTC/USD"], snapshot: false, requestId: 1, ct);
        time.Advance(TimeSpan.FromMilliseconds(300));

        var skipFrom = UnixMicros.Now(time);
        simulator.Faults.SkipWebSocketTrades(Exchange.Kraken, TimeSpan.FromMilliseconds(500));
        time.Advance(TimeSpan.FromMilliseconds(800));

        // The skip holds while the clock is before its end: trades printed at 310 … 790 ms after it was armed.
        var skipUntil = UnixMicros.FromDateTimeOffset(skipFrom.ToDateTimeOffset() + TimeSpan.FromMilliseconds(500));
        var printed = simulator.GroundTruth.For(Exchange.Kraken, "BTC/USD");
        var skipped = printed.Where(t => t.TradeTime > skipFrom && t.TradeTime < skipUntil).Select(t => t.TradeId).ToList();
        Assert.Equal(49, skipped.Count);
        Assert.Equal(printed.Select(t => t.TradeId).Except(skipped), TradeIds(await client.DrainAsync(ct), time));
        Assert.Equal(skipped.Count, simulator.Faults.Counts(Exchange.Kraken)[FaultKind.SkippedTrade]);
    }

    [Fact]
    public async Task A_stall_sends_nothing_at_all_then_delivers_what_was_queued_and_trades_resume()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        await client.SubscribeAsync(["ETH/USD"], snapshot: false, requestId: 1, ct);
        Assert.Empty(await client.DrainAsync(ct));
        var stallFrom = UnixMicros.Now(time);
        var stallUntil = UnixMicros.FromDateTimeOffset(stallFrom.ToDateTimeOffset() + TimeSpan.FromSeconds(3));

        simulator.Faults.Stall(Exchange.Kraken, TimeSpan.FromSeconds(3));
        time.Advance(TimeSpan.FromSeconds(2));
        // Queued during the stall: held until it ends, not lost.
        simulator.Faults.SendMalformedFrames(Exchange.Kraken, 1);
        Assert.False(simulator.Faults.Counts(Exchange.Kraken).ContainsKey(FaultKind.MalformedFrame));
        time.Advance(TimeSpan.FromMilliseconds(1_500));

        var first = await client.ReceiveAsync(ct);
        Assert.Equal(KrakenV2FrameKind.Rejected, KrakenTestClient.Parse(first, UnixMicros.Now(time), TestRegistries.Repository).Frame.Kind);
        var after = await client.DrainAsync(ct);
        Assert.DoesNotContain(ExpectedKrakenJson.Heartbeat, after);
        var printed = simulator.GroundTruth.For(Exchange.Kraken, "ETH/USD");
        Assert.Equal(printed.Where(t => t.TradeTime >= stallUntil).Select(t => t.TradeId), TradeIds(after, time));
        var stalled = printed.Count(t => t.TradeTime < stallUntil);
        Assert.Equal(299, stalled);
        Assert.Equal(stalled, simulator.Faults.Counts(Exchange.Kraken)[FaultKind.StalledTrade]);
    }

    [Fact]
    public async Task A_stalled_idle_connection_sends_no_heartbeats_until_the_stall_ends()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct, paused: true);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        await client.SubscribeAsync(["ETH/USD"], snapshot: false, requestId: 1, ct);

        simulator.Faults.Stall(Exchange.Kraken, TimeSpan.FromMilliseconds(2_500));
        time.Advance(TimeSpan.FromSeconds(3)); // heartbeats due at 1 s and 2 s are not sent; the one due at 3 s is

        Assert.Equal([ExpectedKrakenJson.Heartbeat], await client.DrainAsync(ct));
    }

    [Fact]
    public async Task A_duplicated_update_arrives_twice_byte_for_byte()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        await client.SubscribeAsync(["XRP/USD"], snapshot: false, requestId: 1, ct);

        simulator.Faults.DuplicateFrames(Exchange.Kraken, 1);
        time.Advance(TimeSpan.FromMilliseconds(50));

        var messages = await client.DrainAsync(ct);
        Assert.Equal(6, messages.Count);
        Assert.Equal(messages[0], messages[1]);
        Assert.Equal(messages.Skip(1).Distinct().Count(), messages.Count - 1);
        var ids = GroundTruthIds(simulator, "XRP/USD");
        Assert.Equal([ids[0], .. ids], TradeIds(messages, time));
        Assert.Equal(1, simulator.Faults.Counts(Exchange.Kraken)[FaultKind.DuplicatedFrame]);
    }

    [Fact]
    public async Task A_reordered_update_arrives_after_the_next_one_of_its_symbol()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        await client.SubscribeAsync(["LTC/USD", "ADA/USD"], snapshot: false, requestId: 1, ct);

        simulator.Faults.ReorderFrames(Exchange.Kraken, 1);
        time.Advance(TimeSpan.FromMilliseconds(30));

        var messages = await client.DrainAsync(ct);
        var ltc = GroundTruthIds(simulator, "LTC/USD");
        var ada = GroundTruthIds(simulator, "ADA/USD");
        // ADA/USD prints before LTC/USD in each tick: its first update is held back behind its second.
        Assert.Equal([ltc[0], ada[1], ada[0], ltc[1], ada[2], ltc[2]], TradeIds(messages, time));
        Assert.Equal(1, simulator.Faults.Counts(Exchange.Kraken)[FaultKind.ReorderedFrame]);
    }

    [Fact]
    public async Task A_held_update_is_never_lost_when_nothing_follows_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        await client.SubscribeAsync(["LINK/USD"], snapshot: false, requestId: 1, ct);

        simulator.Faults.ReorderFrames(Exchange.Kraken, 1);
        time.Advance(OneTick);
        simulator.Pause();
        Assert.Empty(await client.DrainAsync(ct));
        time.Advance(TimeSpan.FromSeconds(1)); // the connection falls idle: the held update goes instead of a heartbeat

        Assert.Equal(GroundTruthIds(simulator, "LINK/USD"), TradeIds(await client.DrainAsync(ct), time));
        Assert.False(simulator.Faults.Counts(Exchange.Kraken).ContainsKey(FaultKind.ReorderedFrame));
    }

    [Fact]
    public async Task A_held_update_goes_out_before_its_symbols_unsubscription()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        await client.SubscribeAsync(["LINK/USD"], snapshot: false, requestId: 1, ct);
        simulator.Faults.ReorderFrames(Exchange.Kraken, 1);
        time.Advance(OneTick);

        await client.SendAsync("""{"method":"unsubscribe","params":{"channel":"trade","symbol":["LINK/USD"]},"req_id":2}""", ct);

        Assert.Equal(GroundTruthIds(simulator, "LINK/USD"), TradeIds([await client.ReceiveAsync(ct)], time));
        Assert.StartsWith("""{"method":"unsubscribe","req_id":2,""", await client.ReceiveAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_malformed_variant_is_rejected_by_K2s_parser_and_counted_once_sent()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct);
        time.Advance(TimeSpan.FromSeconds(1));
        simulator.Pause();
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        await client.SubscribeAsync(["BTC/USD"], snapshot: false, requestId: 1, ct);

        simulator.Faults.SendMalformedFrames(Exchange.Kraken, 7);
        var messages = await client.DrainAsync(ct);

        Assert.Equal(7, messages.Count);
        var parsed = messages.Select(m => KrakenTestClient.Parse(m, UnixMicros.Now(time), TestRegistries.Repository)).ToList();
        Assert.All(parsed, p => Assert.Empty(p.Trades));
        Assert.Equal(KrakenV2FrameKind.Rejected, parsed[0].Frame.Kind);
        Assert.Equal(
            [TradeRejectReason.MalformedJson, TradeRejectReason.InvalidField, TradeRejectReason.MissingField, TradeRejectReason.InvalidQuantity,
             TradeRejectReason.UnknownSymbol, TradeRejectReason.InvalidTimestamp, TradeRejectReason.MalformedJson],
            parsed.Select(p => Assert.Single(p.Rejections).Reason));
        var realIds = GroundTruthIds(simulator, "BTC/USD");
        Assert.All(parsed.SelectMany(p => p.Rejections), r => Assert.DoesNotContain(long.Parse(r.RawTradeId ?? "0", System.Globalization.CultureInfo.InvariantCulture), realIds));
        Assert.Equal(7, simulator.Faults.Counts(Exchange.Kraken)[FaultKind.MalformedFrame]);
    }

    [Fact]
    public async Task Rest_faults_all_play_as_Krakens_HTTP_200_throttling_reply()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct);
        time.Advance(TimeSpan.FromSeconds(1));
        using var http = new HttpClient();
        var url = new Uri($"{simulator.KrakenRestBase}/0/public/Trades?pair=XBTUSD&count=1");
        simulator.Faults.FailRestRequests(Exchange.Kraken, 2, RestFault.Throttled, TimeSpan.FromSeconds(1));
        simulator.Faults.FailRestRequests(Exchange.Kraken, 1, RestFault.TooManyRequests, TimeSpan.FromSeconds(1));
        simulator.Faults.FailRestRequests(Exchange.Kraken, 1, RestFault.Banned, TimeSpan.FromSeconds(1));

        var outcomes = new List<KrakenRestOutcome>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await http.GetAsync(url, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("Retry-After"));
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if (i < 4)
            {
                Assert.Equal("""{"error":["EGeneral:Too many requests"]}""", Encoding.UTF8.GetString(body));
            }

            outcomes.Add(KrakenRestTradesParser.Parse(body, KrakenWebSocketTests.Kraken("BTC-USD"), UnixMicros.Now(time), [], []).Outcome);
        }

        Assert.Equal([KrakenRestOutcome.Throttled, KrakenRestOutcome.Throttled, KrakenRestOutcome.Throttled, KrakenRestOutcome.Throttled, KrakenRestOutcome.Trades], outcomes);
        Assert.Equal(4, simulator.Faults.Counts(Exchange.Kraken)[FaultKind.RestThrottled]);
    }

    [Fact]
    public async Task Faults_armed_and_never_taken_are_disarmed_and_the_next_request_is_answered()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct);
        time.Advance(TimeSpan.FromSeconds(1));
        using var http = new HttpClient();
        simulator.Faults.FailRestRequests(Exchange.Kraken, 3, RestFault.Throttled, TimeSpan.FromSeconds(1));
        simulator.Faults.DuplicateFrames(Exchange.Kraken, 2);

        Assert.Equal(5, simulator.Faults.DisarmPending(Exchange.Kraken));
        Assert.Equal(0, simulator.Faults.DisarmPending(Exchange.Kraken));
        using var response = await http.GetAsync(new Uri($"{simulator.KrakenRestBase}/0/public/Trades?pair=XBTUSD&count=1"), ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        Assert.Equal(KrakenRestOutcome.Trades, KrakenRestTradesParser.Parse(body, KrakenWebSocketTests.Kraken("BTC-USD"), UnixMicros.Now(time), [], []).Outcome);
        Assert.False(simulator.Faults.Counts(Exchange.Kraken).ContainsKey(FaultKind.RestThrottled));
    }

    [Fact]
    public async Task A_drop_cuts_every_connection_without_a_close_frame()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct, paused: true);
        await using var first = await KrakenTestClient.ConnectAsync(simulator, ct);
        await using var second = await KrakenTestClient.ConnectAsync(simulator, ct);

        Assert.Equal(2, simulator.Faults.DropConnections(Exchange.Kraken));

        Assert.True(await first.ReceiveUntilCutAsync(ct));
        Assert.True(await second.ReceiveUntilCutAsync(ct));
        Assert.Equal(2, simulator.Faults.Counts(Exchange.Kraken)[FaultKind.Drop]);
    }

    [Fact]
    public async Task Faults_are_armed_through_the_control_api_too()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await KrakenWebSocketTests.StartAsync(time, ct, paused: true);
        await using var client = await KrakenTestClient.ConnectAsync(simulator, ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var malformed = await http.PostAsync("/control/kraken/faults/malformed?count=2", null, ct);
        using var throttle = await http.PostAsync("/control/kraken/faults/rest-throttle?count=1", null, ct);
        var messages = await client.DrainAsync(ct);
        var throttled = await http.GetStringAsync($"{simulator.KrakenRestBase}/0/public/Trades?pair=XBTUSD", ct);
        var counts = await http.GetStringAsync("/control/kraken/faults", ct);

        Assert.Equal(HttpStatusCode.NoContent, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, throttle.StatusCode);
        Assert.Equal(2, messages.Count);
        Assert.Equal("""{"error":["EGeneral:Too many requests"]}""", throttled);
        Assert.Contains("\"MalformedFrame\":2", counts, StringComparison.Ordinal);
        Assert.Contains("\"RestThrottled\":1", counts, StringComparison.Ordinal);
    }
}

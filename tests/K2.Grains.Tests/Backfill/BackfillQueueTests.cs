using K2.Core;
using K2.Core.Instruments;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Tests.Exchanges.Rest;
using Microsoft.Extensions.Options;

namespace K2.Grains.Tests.Backfill;

/// <summary>
/// The backfill queue on a manual clock: each request comes out once due, earliest first, and the queue is bounded. A
/// taker waits on a timer of the clock, so a test knows it is waiting (and for how long) once that timer exists.
/// </summary>
public sealed class BackfillQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly Instrument Btc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);

    private readonly ObservedTimeProvider _time = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static BackfillRequest Gap(long from) => new(Btc, BackfillReason.Gap, from, from + 1, null, null);

    [Fact]
    public async Task A_request_comes_out_once_its_delay_has_passed_and_not_before()
    {
        var queue = new BackfillQueue(Exchange.Binance, _time);
        queue.TryEnqueue(Gap(1), TimeSpan.FromSeconds(2)).ShouldBeTrue();

        var dequeue = queue.DequeueAsync(Ct);
        // The first wait ends at once on the enqueue's wake-up; the second sleeps until the request falls due.
        await _time.WaitForTimersAsync(2, Ct);
        _time.Timers.ShouldBe([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)]);
        _time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        dequeue.IsCompleted.ShouldBeFalse();
        _time.Advance(TimeSpan.FromTicks(1));

        (await dequeue.WaitAsync(Patience, Ct)).ShouldBe(Gap(1));
        queue.Count.ShouldBe(0);
    }

    [Fact]
    public async Task Requests_come_out_earliest_due_first_and_in_arrival_order_when_due_together()
    {
        var queue = new BackfillQueue(Exchange.Binance, _time);
        queue.TryEnqueue(Gap(1), TimeSpan.FromSeconds(5));
        queue.TryEnqueue(Gap(2), TimeSpan.FromSeconds(1));
        queue.TryEnqueue(Gap(3), TimeSpan.FromSeconds(1));
        queue.TryEnqueue(Gap(4), TimeSpan.Zero);
        _time.Advance(TimeSpan.FromSeconds(5));

        var order = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            order.Add((await queue.DequeueAsync(Ct).WaitAsync(Patience, Ct)).FromId!.Value);
        }

        order.ShouldBe([4, 2, 3, 1]);
    }

    [Fact]
    public async Task A_waiting_taker_gets_a_request_added_later_that_is_due_sooner()
    {
        var queue = new BackfillQueue(Exchange.Binance, _time);
        queue.TryEnqueue(Gap(1), TimeSpan.FromMinutes(10));
        var dequeue = queue.DequeueAsync(Ct);
        await _time.WaitForTimersAsync(2, Ct); // the taker is asleep until the first one falls due
        _time.Timers.ShouldBe([TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10)]);

        queue.TryEnqueue(Gap(2), TimeSpan.Zero);

        (await dequeue.WaitAsync(Patience, Ct)).ShouldBe(Gap(2));
        queue.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_taker_waiting_on_an_empty_queue_gets_the_first_request_added()
    {
        var queue = new BackfillQueue(Exchange.Binance, _time);
        var dequeue = queue.DequeueAsync(Ct);
        await _time.WaitForTimersAsync(1, Ct);
        _time.Timers.ShouldBe([Timeout.InfiniteTimeSpan]); // asleep until a request comes
        dequeue.IsCompleted.ShouldBeFalse();

        queue.TryEnqueue(Gap(7), TimeSpan.Zero);

        (await dequeue.WaitAsync(Patience, Ct)).ShouldBe(Gap(7));
    }

    [Fact]
    public async Task A_full_queue_refuses_new_requests_until_one_is_taken()
    {
        var queue = new BackfillQueue(Exchange.Binance, _time, capacity: 2);
        queue.TryEnqueue(Gap(1), TimeSpan.Zero).ShouldBeTrue();
        queue.TryEnqueue(Gap(2), TimeSpan.Zero).ShouldBeTrue();

        queue.TryEnqueue(Gap(3), TimeSpan.Zero).ShouldBeFalse();
        queue.Count.ShouldBe(2);

        (await queue.DequeueAsync(Ct).WaitAsync(Patience, Ct)).ShouldBe(Gap(1));
        queue.TryEnqueue(Gap(3), TimeSpan.Zero).ShouldBeTrue();
        (await queue.DequeueAsync(Ct).WaitAsync(Patience, Ct)).ShouldBe(Gap(2));
        (await queue.DequeueAsync(Ct).WaitAsync(Patience, Ct)).ShouldBe(Gap(3));
    }

    [Fact]
    public async Task Cancelling_ends_the_wait_and_leaves_the_request_queued()
    {
        var queue = new BackfillQueue(Exchange.Binance, _time);
        queue.TryEnqueue(Gap(1), TimeSpan.FromSeconds(30));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var dequeue = queue.DequeueAsync(cancel.Token);

        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => dequeue.WaitAsync(Patience, Ct));
        queue.Count.ShouldBe(1);
    }

    [Fact]
    public void Each_exchange_has_its_own_queue()
    {
        var queues = new BackfillQueues(_time, Options.Create(new ExchangesOptions()));

        foreach (var exchange in ExchangeNames.All)
        {
            queues.For(exchange).Exchange.ShouldBe(exchange);
            queues.For(exchange).ShouldBeSameAs(queues.For(exchange));
        }

        queues.For(Exchange.Binance).TryEnqueue(Gap(1), TimeSpan.Zero);
        queues.For(Exchange.Kraken).Count.ShouldBe(0);
    }

    [Fact]
    public async Task Each_exchange_spaces_its_probes_to_three_quarters_of_its_REST_limit()
    {
        // Binance: 4,800 weight/min at 25 a page is 3.2 pages/s; Kraken: 2 requests/s as configured here.
        var options = new ExchangesOptions();
        options.Kraken.RestRequestsPerSecond = 2;
        var queues = new BackfillQueues(_time, Options.Create(options));
        var spacings = new[] { (Exchange.Binance, 1 / (0.75 * (4_800 / 25.0 / 60))), (Exchange.Kraken, 1 / (0.75 * 2)) };

        foreach (var (exchange, seconds) in spacings)
        {
            var queue = queues.For(exchange);
            queue.TryEnqueue(Probe(1), TimeSpan.Zero);
            queue.TryEnqueue(Probe(2), TimeSpan.Zero);
            (await queue.DequeueAsync(Ct).WaitAsync(Patience, Ct)).ShouldBe(Probe(1));
            var next = queue.DequeueAsync(Ct);
            _time.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromTicks(1));
            next.IsCompleted.ShouldBeFalse($"{exchange}: probes {seconds:0.000} s apart");
            _time.Advance(TimeSpan.FromTicks(1));
            (await next.WaitAsync(Patience, Ct)).ShouldBe(Probe(2));
        }
    }

    [Fact]
    public async Task Probes_wait_while_a_repair_is_due_and_go_out_no_closer_than_their_spacing()
    {
        var spacing = TimeSpan.FromSeconds(2);
        var queue = new BackfillQueue(Exchange.Binance, _time, probeSpacing: spacing);
        queue.TryEnqueue(Probe(100), TimeSpan.Zero);
        queue.TryEnqueue(Probe(200), TimeSpan.Zero);
        queue.TryEnqueue(Gap(1), TimeSpan.Zero);

        (await queue.DequeueAsync(Ct).WaitAsync(Patience, Ct)).ShouldBe(Gap(1), "a due repair goes before probes queued earlier");
        (await queue.DequeueAsync(Ct).WaitAsync(Patience, Ct)).ShouldBe(Probe(100));
        var next = queue.DequeueAsync(Ct);
        _time.Advance(spacing - TimeSpan.FromTicks(1));
        next.IsCompleted.ShouldBeFalse("the next probe waits out the spacing");
        queue.TryEnqueue(Gap(5), TimeSpan.Zero);
        (await next.WaitAsync(Patience, Ct)).ShouldBe(Gap(5), "a repair does not wait for the probes' pace");
        next = queue.DequeueAsync(Ct);
        _time.Advance(TimeSpan.FromTicks(1));

        (await next.WaitAsync(Patience, Ct)).ShouldBe(Probe(200));
    }

    [Fact]
    public async Task A_repair_says_whether_it_is_queued_in_flight_or_waiting_and_for_what()
    {
        var queue = new BackfillQueue(Exchange.Binance, _time);
        var start = _time.GetUtcNow();
        queue.TryEnqueue(Gap(1) with { Failures = 2 }, TimeSpan.FromSeconds(3));
        queue.TryEnqueue(Gap(7), TimeSpan.FromSeconds(1));

        queue.DescribeRepair(Btc, 2, 2).ShouldBe($"queued, retrying after 2 unanswered fetch(es), due at {Clock(start, 3)}, 1 request(s) ahead; the worker is idle");
        queue.DescribeRepair(Btc, 3, 6).ShouldBeNull("no request covers 3..6");

        _time.Advance(TimeSpan.FromSeconds(1));
        (await queue.DequeueAsync(Ct).WaitAsync(Patience, Ct)).ShouldBe(Gap(7));
        queue.DescribeRepair(Btc, 7, 8).ShouldBe($"in flight since {Clock(start, 1)}");
        queue.Progress.Waiting(start.AddSeconds(61), "a pause the exchange asked for");
        _time.Advance(TimeSpan.FromSeconds(3));
        queue.DescribeRepair(Btc, 1, 1).ShouldBe(
            $"queued, retrying after 2 unanswered fetch(es), due since {Clock(start, 3)}, 0 request(s) ahead; the worker is on {Gap(7)} since {Clock(start, 1)}, waiting until {Clock(start, 61)} for a pause the exchange asked for");
        queue.DescribeRepair(Btc, 8, 8).ShouldBe($"in flight since {Clock(start, 1)}, waiting until {Clock(start, 61)} for a pause the exchange asked for");

        queue.Progress.Proceeding();
        queue.DescribeRepair(Btc, 8, 8).ShouldBe($"in flight since {Clock(start, 1)}");
        queue.Progress.Finished();
        queue.DescribeRepair(Btc, 8, 8).ShouldBeNull();
    }

    private static BackfillRequest Probe(long from) => new(Btc, BackfillReason.Probe, from, null, null, null);

    private static string Clock(DateTimeOffset start, int seconds) =>
        start.AddSeconds(seconds).UtcDateTime.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
}

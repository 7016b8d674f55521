using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Instruments;
using K2.Testing.Grains;

namespace K2.Grains.Tests.Instruments;

/// <summary>
/// An instrument's line to its shard's backfill queue, against an exchange grain the test scripts: it can answer from
/// another queue, refuse (full), fail as a dead silo's grain does, or hang.
/// </summary>
public sealed class ShardBackfillsTests
{
    private static readonly Instrument Btc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);
    private static readonly Guid QueueA = new("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid QueueB = new("00000000-0000-0000-0000-00000000000b");

    private readonly TradeSequenceTracker _tracker = new();
    private readonly InstrumentRepairs _repairs;
    private readonly ScriptedExchangeGrain _exchange = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ShardBackfills _backfills;

    public ShardBackfillsTests()
    {
        _repairs = new InstrumentRepairs(Btc, _tracker, sequentialIds: true, new IngestOptions());
        _backfills = new ShardBackfills(Btc, _exchange, _repairs, TimeSpan.FromMilliseconds(200), _logs.CreateLogger("test"));
    }

    private static UnixMicros Time(long id) => new(1_000_000 + id);

    private static BackfillRequest Gap(long from, long to) => new(Btc, BackfillReason.Gap, from, to, Time(from - 1), Time(to + 1));

    private QueuedBackfill FoundGap(long before, long after)
    {
        _tracker.Record(TradeId.FromNumber(before), Time(before));
        return _repairs.GapFound(_tracker.Record(TradeId.FromNumber(after), Time(after))!, TimeSpan.FromSeconds(2));
    }

    private List<string> Logged(int eventId) => [.. _logs.Entries.Where(e => e.EventId.Id == eventId).Select(e => e.Message)];

    [Fact]
    public async Task A_request_goes_to_the_exchange_grain_with_its_delay_and_nothing_is_asked_again_while_its_queue_stays()
    {
        await _backfills.QueueAsync(FoundGap(10, 15));
        await _backfills.CheckQueueAsync();

        _exchange.Queued.ShouldBe([(Gap(11, 14), TimeSpan.FromSeconds(2))]);
        _exchange.QueueIdCalls.ShouldBe(1);
    }

    [Fact]
    public async Task Nothing_pending_asks_the_exchange_grain_nothing()
    {
        await _backfills.CheckQueueAsync();

        _exchange.QueueIdCalls.ShouldBe(0);
    }

    [Fact]
    public async Task A_full_queue_is_logged_and_the_catch_up_it_refused_is_no_longer_pending()
    {
        _tracker.Record(TradeId.FromNumber(1), Time(1));
        _exchange.Full = true;

        await _backfills.QueueAsync(_repairs.PossibleLoss()!.Value);

        _repairs.CatchUpPending.ShouldBeFalse();
        Logged(GrainsEventIds.BackfillQueueFull).ShouldBe([$"Backfill queue full; dropped {new BackfillRequest(Btc, BackfillReason.CatchUp, 2, null, Time(1), null)}"]);
    }

    [Fact]
    public async Task A_request_whose_call_failed_stays_pending_and_is_asked_again_once_the_exchange_grain_answers()
    {
        _exchange.Down = true;
        await _backfills.QueueAsync(FoundGap(10, 15));
        await _backfills.CheckQueueAsync(); // still down: nothing changes

        _exchange.Down = false;
        await _backfills.CheckQueueAsync();
        await _backfills.CheckQueueAsync();

        _exchange.Queued.ShouldBe([(Gap(11, 14), TimeSpan.Zero)], "asked again once, due at once");
        Logged(GrainsEventIds.ExchangeGrainUnreachable).ShouldBe([
            "binance/BTC-USDT could not reach its exchange grain (silo gone); its backfills are asked for again on the next watch",
            "binance/BTC-USDT could not reach its exchange grain (silo gone); its backfills are asked for again on the next watch",
        ]);
        Logged(GrainsEventIds.BackfillsAskedAgain).ShouldBe(
            [$"binance/BTC-USDT asks again for 1 backfill(s): its exchange grain now queues in backfill queue {QueueA}, which may not hold them"]);
    }

    [Fact]
    public async Task A_call_that_hangs_is_given_up_at_the_limit_and_the_request_asked_again()
    {
        _exchange.Hangs = true;
        await _backfills.QueueAsync(FoundGap(10, 15));

        _exchange.Hangs = false;
        await _backfills.CheckQueueAsync();

        _exchange.Queued.ShouldBe([(Gap(11, 14), TimeSpan.Zero)]);
        Logged(GrainsEventIds.ExchangeGrainUnreachable).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Everything_pending_is_asked_again_when_the_exchange_grain_answers_from_another_queue()
    {
        await _backfills.QueueAsync(FoundGap(10, 15));
        await _backfills.QueueAsync(FoundGap(16, 18));
        _exchange.Queued.Clear();

        _exchange.QueueId = QueueB; // its silo died: the grain lives on another one now
        await _backfills.CheckQueueAsync();
        await _backfills.CheckQueueAsync();

        _exchange.Queued.ShouldBe([(Gap(11, 14), TimeSpan.Zero), (Gap(17, 17), TimeSpan.Zero)]);
    }

    [Fact]
    public async Task An_overdue_gap_is_reported_with_where_its_repair_stands_or_queued_again_when_nothing_covers_it()
    {
        FoundGap(10, 15);
        var overdue = new OverdueGap(_tracker.OpenGaps.Single(), TimeSpan.FromSeconds(60), FirstReport: true);

        _exchange.Repair = "queued, due at 12:00:02.000, 0 request(s) ahead; the worker is idle";
        await _backfills.ReportOverdueAsync(overdue);
        _exchange.Queued.ShouldBeEmpty();

        _exchange.Repair = null;
        await _backfills.ReportOverdueAsync(overdue);
        _exchange.Queued.ShouldBe([(Gap(11, 14), TimeSpan.Zero)]);

        Logged(GrainsEventIds.GapOverdue).ShouldBe([
            "binance/BTC-USDT gap 11..14 (4 ids) still open after 00:01:00: queued, due at 12:00:02.000, 0 request(s) ahead; the worker is idle",
            "binance/BTC-USDT gap 11..14 (4 ids) still open after 00:01:00: no request covered it; queued again",
        ]);
    }

    [Fact]
    public async Task Without_a_shard_nothing_is_sent_and_an_overdue_gap_says_so()
    {
        var alone = new ShardBackfills(Btc, null, _repairs, TimeSpan.FromSeconds(1), _logs.CreateLogger("test"));
        FoundGap(10, 15);

        await alone.QueueAsync(_repairs.GapFound(_tracker.OpenGaps.Single(), TimeSpan.Zero));
        await alone.CheckQueueAsync();
        await alone.ReportOverdueAsync(new OverdueGap(_tracker.OpenGaps.Single(), TimeSpan.FromSeconds(60), FirstReport: true));

        _exchange.Queued.ShouldBeEmpty();
        Logged(GrainsEventIds.GapOverdue).ShouldBe(["binance/BTC-USDT gap 11..14 (4 ids) still open after 00:01:00: no exchange shard serves this instrument"]);
    }

    /// <summary>The exchange grain's backfill calls as the test scripts them; its other calls are not used here.</summary>
    private sealed class ScriptedExchangeGrain : IExchangeGrain
    {
        public List<(BackfillRequest Request, TimeSpan Delay)> Queued { get; } = [];

        public Guid QueueId { get; set; } = QueueA;

        public bool Full { get; set; }

        /// <summary>Calls fail as calls to a grain of a dead silo do.</summary>
        public bool Down { get; set; }

        /// <summary>Calls never answer (a hung silo) until the caller gives up.</summary>
        public bool Hangs { get; set; }

        public string? Repair { get; set; }

        public int QueueIdCalls { get; private set; }

        public async Task<BackfillReceipt> QueueBackfillAsync(BackfillRequest request, TimeSpan delay, CancellationToken cancellationToken)
        {
            await AnswerAsync(cancellationToken);
            if (!Full)
            {
                Queued.Add((request, delay));
            }

            return new BackfillReceipt(QueueId, !Full);
        }

        public async Task<Guid> GetBackfillQueueIdAsync(CancellationToken cancellationToken)
        {
            QueueIdCalls++;
            await AnswerAsync(cancellationToken);
            return QueueId;
        }

        public async Task<string?> DescribeRepairAsync(Instrument instrument, long fromId, long toId, CancellationToken cancellationToken)
        {
            await AnswerAsync(cancellationToken);
            return Repair;
        }

        public Task<ShardStart> EnsureRunningAsync() => throw new NotSupportedException();

        public Task StopAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task HandOverAsync(string assignedSilo, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ExchangeSessionStatus> GetStatusAsync() => throw new NotSupportedException();

        private async Task AnswerAsync(CancellationToken cancellationToken)
        {
            if (Down)
            {
                throw new SiloUnavailableException("silo gone");
            }

            if (Hangs)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
        }
    }
}

using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Instruments;

namespace K2.Grains.Tests.Instruments;

/// <summary>An instrument's repair bookkeeping on its own: what it asks for, what a finished request means, and when it asks again.</summary>
public sealed class InstrumentRepairsTests
{
    private static readonly Instrument Btc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid QueueA = new("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid QueueB = new("00000000-0000-0000-0000-00000000000b");

    private readonly TradeSequenceTracker _tracker = new();
    private readonly IngestOptions _options = new()
    {
        GapGrace = TimeSpan.FromSeconds(2),
        BackfillRetryDelay = TimeSpan.FromSeconds(3),
        MaxBackfillRetryDelay = TimeSpan.FromSeconds(20),
        MaxBackfillAttempts = 3,
        QuietProbeAfter = TimeSpan.FromSeconds(5),
    };

    private readonly InstrumentRepairs _repairs;

    public InstrumentRepairsTests() => _repairs = new InstrumentRepairs(Btc, _tracker, sequentialIds: true, _options);

    private static UnixMicros Time(long id) => new(1_000_000 + id);

    private static BackfillRequest Gap(long from, long to) => new(Btc, BackfillReason.Gap, from, to, Time(from - 1), Time(to + 1));

    private TradeGap? Record(long id) => _tracker.Record(TradeId.FromNumber(id), Time(id));

    private QueuedBackfill FoundGap(long before, long after)
    {
        Record(before);
        return _repairs.GapFound(Record(after)!, _options.GapGrace);
    }

    [Fact]
    public void A_gap_is_asked_for_after_its_grace_narrowed_to_what_is_still_missing_and_repaired_once_filled()
    {
        var found = FoundGap(10, 15);

        found.ShouldBe(new QueuedBackfill(Gap(11, 14), TimeSpan.FromSeconds(2)));
        _repairs.Waiting.ShouldBeTrue();
        Record(11);
        Record(14);
        _repairs.StillMissing(Gap(11, 14)).ShouldBe(Gap(11, 14) with { FromId = 12, ToId = 13 });
        Record(12);
        Record(13);
        _repairs.StillMissing(Gap(11, 14)).ShouldBeNull();
        _repairs.Done(Gap(12, 13), succeeded: true).ShouldBe(new BackfillOutcome(null, GapVerdict.Repaired));
        _repairs.Waiting.ShouldBeFalse();
    }

    [Fact]
    public void A_gap_rest_does_not_fill_is_retried_with_longer_waits_then_given_up()
    {
        FoundGap(10, 15);

        _repairs.Done(Gap(11, 14), succeeded: true)
            .ShouldBe(new BackfillOutcome(new QueuedBackfill(Gap(11, 14) with { Attempt = 2 }, TimeSpan.FromSeconds(3)), GapVerdict.Retried));
        _repairs.Done(Gap(11, 14) with { Attempt = 2 }, succeeded: true)
            .ShouldBe(new BackfillOutcome(new QueuedBackfill(Gap(11, 14) with { Attempt = 3 }, TimeSpan.FromSeconds(6)), GapVerdict.Retried));
        _repairs.Done(Gap(11, 14) with { Attempt = 3 }, succeeded: true).ShouldBe(new BackfillOutcome(null, GapVerdict.Abandoned, 4));
        _tracker.OpenGaps.ShouldBeEmpty();
    }

    [Fact]
    public void A_fetch_the_exchange_did_not_answer_is_retried_with_doubling_waits_up_to_the_cap_and_is_no_attempt()
    {
        FoundGap(10, 15);

        var delays = new List<TimeSpan>();
        var request = Gap(11, 14);
        for (var i = 0; i < 4; i++)
        {
            var next = _repairs.Done(request, succeeded: false).Next!.Value;
            delays.Add(next.Delay);
            request = next.Request;
        }

        delays.ShouldBe([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(20)]);
        (request.Attempt, request.Failures).ShouldBe((1, 4));
    }

    [Fact]
    public void Losses_during_a_catch_up_coalesce_into_one_more_from_where_the_trades_stand_when_it_ends()
    {
        Record(1);
        Record(2);

        var first = _repairs.PossibleLoss()!.Value.Request;
        first.ShouldBe(new BackfillRequest(Btc, BackfillReason.CatchUp, 3, null, Time(2), null));
        _repairs.PossibleLoss().ShouldBeNull();
        _repairs.PossibleLoss().ShouldBeNull();
        _repairs.CatchUpPending.ShouldBeTrue();

        Record(3);
        var second = _repairs.Done(first, succeeded: true).Next!.Value.Request;
        second.ShouldBe(new BackfillRequest(Btc, BackfillReason.CatchUp, 4, null, Time(3), null));
        _repairs.Done(second, succeeded: true).Next.ShouldBeNull();
        _repairs.CatchUpPending.ShouldBeFalse();
        _repairs.Done(second, succeeded: true).ShouldBe(new BackfillOutcome(null), "asked twice, done twice: the second changes nothing");
    }

    [Fact]
    public void Nothing_to_catch_up_from_before_the_first_trade()
    {
        _repairs.PossibleLoss().ShouldBeNull();
        _repairs.CatchUpPending.ShouldBeFalse();
    }

    [Fact]
    public void A_catch_up_or_probe_the_full_queue_refused_is_no_longer_pending()
    {
        Record(1);
        var catchUp = _repairs.PossibleLoss()!.Value.Request;
        _repairs.Sent(catchUp, new BackfillReceipt(QueueA, Queued: false)).ShouldBeFalse();
        _repairs.CatchUpPending.ShouldBeFalse();

        _repairs.TradePassedOn(Now);
        var probe = _repairs.ProbeDue(Now + TimeSpan.FromSeconds(5))!.Value.Request;
        _repairs.Sent(probe, new BackfillReceipt(QueueA, Queued: false)).ShouldBeFalse();
        _repairs.Waiting.ShouldBeFalse();
        _repairs.ProbeDue(Now + TimeSpan.FromSeconds(6)).ShouldNotBeNull("refused: the spell is probed at the next chance");
    }

    [Fact]
    public void A_quiet_spell_is_probed_once_and_a_trade_since_makes_the_probe_needless()
    {
        Record(1);
        _repairs.TradePassedOn(Now);

        _repairs.ProbeDue(Now + TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1)).ShouldBeNull();
        var probe = _repairs.ProbeDue(Now + TimeSpan.FromSeconds(5))!.Value;
        probe.ShouldBe(new QueuedBackfill(new BackfillRequest(Btc, BackfillReason.Probe, 2, null, Time(1), null), TimeSpan.Zero));
        _repairs.ProbeDue(Now + TimeSpan.FromSeconds(6)).ShouldBeNull("queued already");
        _repairs.Done(probe.Request, succeeded: true);
        _repairs.ProbeDue(Now + TimeSpan.FromMinutes(1)).ShouldBeNull("one probe per quiet spell");

        Record(2);
        _repairs.TradePassedOn(Now + TimeSpan.FromMinutes(1));
        var next = _repairs.ProbeDue(Now + TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(5))!.Value.Request;
        _repairs.StillMissing(next).ShouldBe(next with { FromId = 3, After = Time(2) }, "nothing came since: fetched from the newest trade");
        Record(3);
        _repairs.TradePassedOn(Now + TimeSpan.FromMinutes(2));
        _repairs.StillMissing(next).ShouldBeNull("ids without holes: a dropped trade would show as a gap at trade 3");
    }

    [Fact]
    public void Everything_waited_for_is_asked_again_when_the_exchange_grain_answers_from_another_queue()
    {
        FoundGap(10, 15);
        FoundGap(16, 18);
        var catchUp = _repairs.PossibleLoss()!.Value.Request;
        _repairs.TradePassedOn(Now);
        var probe = _repairs.ProbeDue(Now + TimeSpan.FromSeconds(5))!.Value.Request;
        foreach (var request in new[] { Gap(11, 14), Gap(17, 17), catchUp, probe })
        {
            _repairs.Sent(request, new BackfillReceipt(QueueA, Queued: true)).ShouldBeTrue();
        }

        _repairs.QueueSeen(QueueA).ShouldBeEmpty("the queue holding them is still there");
        _repairs.QueueSeen(QueueB).ShouldBe(
        [
            new QueuedBackfill(Gap(11, 14), TimeSpan.Zero), new QueuedBackfill(Gap(17, 17), TimeSpan.Zero),
            new QueuedBackfill(catchUp, TimeSpan.Zero), new QueuedBackfill(probe, TimeSpan.Zero),
        ]);
        _repairs.QueueSeen(QueueB).ShouldBeEmpty("asked again once");
    }

    [Fact]
    public void After_a_failed_call_everything_waited_for_is_asked_again_even_from_the_same_queue()
    {
        FoundGap(10, 15);
        _repairs.Sent(Gap(11, 14), new BackfillReceipt(QueueA, Queued: true));

        _repairs.SendFailed();

        _repairs.QueueSeen(QueueA).ShouldBe([new QueuedBackfill(Gap(11, 14), TimeSpan.Zero)]);
        _repairs.QueueSeen(QueueA).ShouldBeEmpty();
    }

    [Fact]
    public void A_request_taken_by_another_queue_than_the_earlier_ones_has_them_all_asked_again()
    {
        FoundGap(10, 15);
        _repairs.Sent(Gap(11, 14), new BackfillReceipt(QueueA, Queued: true));
        FoundGap(16, 18);
        _repairs.Sent(Gap(17, 17), new BackfillReceipt(QueueB, Queued: true));

        _repairs.QueueSeen(QueueB).ShouldBe([new QueuedBackfill(Gap(11, 14), TimeSpan.Zero), new QueuedBackfill(Gap(17, 17), TimeSpan.Zero)]);
    }

    [Fact]
    public void Once_nothing_is_waited_for_the_next_request_decides_the_queue()
    {
        FoundGap(10, 15);
        _repairs.Sent(Gap(11, 14), new BackfillReceipt(QueueA, Queued: true));
        Record(11);
        Record(12);
        Record(13);
        Record(14);
        _repairs.Waiting.ShouldBeFalse();
        _repairs.Forget();

        FoundGap(16, 18);
        _repairs.Sent(Gap(17, 17), new BackfillReceipt(QueueB, Queued: true));

        _repairs.QueueSeen(QueueB).ShouldBeEmpty();
    }
}

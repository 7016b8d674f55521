using K2.Core.Trades;
using K2.Testing;

namespace K2.Core.Tests.Trades;

public sealed class TradeSequenceTrackerTests
{
    private static UnixMicros T(long micros) => new(1_795_000_000_000_000 + micros);

    private static TradeGap? Pass(TradeSequenceTracker tracker, long id, long time = 0)
    {
        var tradeId = TradeId.FromNumber(id);
        tracker.IsNew(tradeId).ShouldBeTrue($"{id} should be new");
        return tracker.Record(tradeId, T(time == 0 ? id : time));
    }

    [Fact]
    public void Consecutive_ids_open_no_gap_and_repeats_are_not_new()
    {
        var tracker = new TradeSequenceTracker();
        foreach (var id in new long[] { 100, 101, 102 })
        {
            Pass(tracker, id).ShouldBeNull();
        }

        tracker.IsNew(TradeId.FromNumber(101)).ShouldBeFalse();
        tracker.IsNew(TradeId.FromNumber(102)).ShouldBeFalse();
        tracker.IsNew(TradeId.FromNumber(99)).ShouldBeFalse("below the first id seen is history, not a gap");
        tracker.HighestId.ShouldBe(102);
        tracker.OpenGaps.ShouldBeEmpty();
    }

    [Fact]
    public void A_jump_reveals_exactly_the_missing_range_with_the_times_around_it()
    {
        var tracker = new TradeSequenceTracker();
        Pass(tracker, 10, time: 1_000);

        var gap = Pass(tracker, 15, time: 9_000);

        gap.ShouldBe(new TradeGap(11, 14, T(1_000), T(9_000)));
        gap!.Count.ShouldBe(4);
        tracker.MissingCount.ShouldBe(4);
        tracker.HighestId.ShouldBe(15);
        tracker.NewestTime.ShouldBe(T(9_000));
    }

    [Fact]
    public void Trades_inside_a_gap_are_new_and_fill_it_in_any_order()
    {
        var tracker = new TradeSequenceTracker();
        Pass(tracker, 10);
        Pass(tracker, 20);

        Pass(tracker, 15).ShouldBeNull();
        Pass(tracker, 11).ShouldBeNull();
        Pass(tracker, 19).ShouldBeNull();

        tracker.IsNew(TradeId.FromNumber(15)).ShouldBeFalse("filled once, then a duplicate");
        tracker.OpenGaps.Select(g => (g.FromId, g.ToId)).ShouldBe([(12L, 14L), (16L, 18L)]);
        foreach (var id in new long[] { 12, 13, 14, 16, 17, 18 })
        {
            Pass(tracker, id);
        }

        tracker.OpenGaps.ShouldBeEmpty();
        tracker.HighestId.ShouldBe(20, "filling below the highest id does not move it");
    }

    [Fact]
    public void Resuming_after_a_stored_trade_makes_earlier_ids_duplicates_and_reveals_what_was_missed()
    {
        var tracker = new TradeSequenceTracker();
        tracker.ResumeAfter(500, T(5));

        tracker.IsNew(TradeId.FromNumber(500)).ShouldBeFalse();
        var gap = Pass(tracker, 504, time: 9);

        gap.ShouldBe(new TradeGap(501, 503, T(5), T(9)));
    }

    [Fact]
    public void Abandoning_stops_fetching_only_the_requested_ids_and_counts_them()
    {
        var tracker = new TradeSequenceTracker();
        Pass(tracker, 1);
        Pass(tracker, 10);   // gap 2..9
        Pass(tracker, 20);   // gap 11..19

        tracker.Abandon(5, 12).ShouldBe(5 + 2); // 5..9 of the first gap and 11..12 of the second

        tracker.OpenGaps.Select(g => (g.FromId, g.ToId)).ShouldBe([(2L, 4L), (13L, 19L)]);
        tracker.LostRanges.Select(g => (g.FromId, g.ToId)).ShouldBe([(5L, 9L), (11L, 12L)]);
        tracker.MissingCount.ShouldBe(3 + 7, "lost ids are no longer counted as missing");
    }

    [Fact]
    public void A_trade_of_a_lost_range_that_arrives_after_all_is_new_once()
    {
        var tracker = new TradeSequenceTracker();
        Pass(tracker, 1);
        Pass(tracker, 10);
        tracker.Abandon(2, 9);

        Pass(tracker, 6).ShouldBeNull();

        tracker.IsNew(TradeId.FromNumber(6)).ShouldBeFalse("accepted once, then a duplicate");
        tracker.LostRanges.Select(g => (g.FromId, g.ToId)).ShouldBe([(2L, 5L), (7L, 9L)]);
        tracker.OpenGaps.ShouldBeEmpty();
    }

    [Fact]
    public void A_gap_restored_from_storage_reopens_its_ids_and_is_not_restored_twice()
    {
        var tracker = new TradeSequenceTracker();
        tracker.ResumeAfter(100, T(100));
        var gap = new TradeGap(40, 45, T(39), T(46));

        tracker.RestoreGap(gap);
        tracker.RestoreGap(gap);

        tracker.OpenGaps.ShouldBe([gap]);
        tracker.IsNew(TradeId.FromNumber(42)).ShouldBeTrue();
        tracker.IsNew(TradeId.FromNumber(46)).ShouldBeFalse();
        Pass(tracker, 42);
        tracker.OpenGaps.Select(g => (g.FromId, g.ToId)).ShouldBe([(40L, 41L), (43L, 45L)]);
    }

    [Fact]
    public void Without_sequential_ids_numeric_ids_show_no_gaps_and_are_deduplicated_by_window()
    {
        var tracker = new TradeSequenceTracker(sequentialIds: false, textIdWindow: 10);

        Pass(tracker, 10).ShouldBeNull();
        Pass(tracker, 500).ShouldBeNull("ids that jump are not gaps on such an exchange");
        Pass(tracker, 7).ShouldBeNull();

        tracker.IsNew(TradeId.FromNumber(500)).ShouldBeFalse();
        tracker.OpenGaps.ShouldBeEmpty();
        tracker.HighestId.ShouldBeNull();
        tracker.NewestTime.ShouldBe(T(500));
    }

    [Fact]
    public void Open_gaps_are_bounded_and_the_oldest_are_given_up_first()
    {
        var tracker = new TradeSequenceTracker(maxOpenGaps: 2);
        Pass(tracker, 0);
        foreach (var id in new long[] { 2, 4, 6, 8 })
        {
            Pass(tracker, id);
        }

        var dropped = tracker.TrimGaps();

        dropped.Select(g => g.FromId).ShouldBe([1L, 3L]);
        tracker.OpenGaps.Select(g => g.FromId).ShouldBe([5L, 7L]);
    }

    [Fact]
    public void Text_ids_are_remembered_in_a_bounded_window()
    {
        var tracker = new TradeSequenceTracker(textIdWindow: 2);
        var a = TradeId.FromText("a-1");
        var b = TradeId.FromText("b-2");
        var c = TradeId.FromText("c-3");

        tracker.IsNew(a).ShouldBeTrue();
        tracker.Record(a, T(1)).ShouldBeNull();
        tracker.Record(b, T(2));
        tracker.IsNew(a).ShouldBeFalse();
        tracker.Record(c, T(3));

        tracker.IsNew(a).ShouldBeTrue("evicted from the window");
        tracker.IsNew(c).ShouldBeFalse();
        tracker.NewestTime.ShouldBe(T(3));
        tracker.HighestId.ShouldBeNull();
    }

    [Fact]
    public void A_gap_is_reported_once_it_is_as_old_as_the_bound_and_again_at_each_further_bound_while_open()
    {
        var clock = new ManualTimeProvider();
        var bound = TimeSpan.FromSeconds(60);
        var tracker = new TradeSequenceTracker(time: clock);
        Pass(tracker, 10);
        var detected = UnixMicros.Now(clock);
        Pass(tracker, 15);
        tracker.OldestGapDetectedAt.ShouldBe(detected);

        clock.Advance(bound - TimeSpan.FromMicroseconds(1));
        tracker.TakeOverdue(bound).ShouldBeEmpty();
        clock.Advance(TimeSpan.FromMicroseconds(1));
        var first = tracker.TakeOverdue(bound).ShouldHaveSingleItem();
        tracker.TakeOverdue(bound).ShouldBeEmpty("reported once per bound");

        (first.Gap.FromId, first.Gap.ToId, first.Gap.DetectedAt, first.Age, first.FirstReport).ShouldBe((11L, 14L, detected, bound, true));

        // A trade fills the middle: both pieces keep the gap's age and its report, so neither counts as a new overdue gap.
        Pass(tracker, 12);
        clock.Advance(bound);
        var second = tracker.TakeOverdue(bound);
        second.Select(o => (o.Gap.FromId, o.Gap.ToId, o.Age, o.FirstReport)).ShouldBe([(11L, 11L, 2 * bound, false), (13L, 14L, 2 * bound, false)]);
        tracker.OldestGapDetectedAt.ShouldBe(detected);
    }

    [Fact]
    public void A_gap_restored_after_a_restart_is_aged_from_the_restart()
    {
        var clock = new ManualTimeProvider();
        var tracker = new TradeSequenceTracker(time: clock);
        tracker.ResumeAfter(20, T(20));

        tracker.RestoreGap(new TradeGap(5, 7, T(4), T(8)));

        tracker.OpenGaps.ShouldHaveSingleItem().DetectedAt.ShouldBe(UnixMicros.Now(clock));
        clock.Advance(TimeSpan.FromSeconds(30));
        tracker.TakeOverdue(TimeSpan.FromSeconds(30)).ShouldHaveSingleItem().Gap.FromId.ShouldBe(5);
    }

    [Fact]
    public void Without_a_clock_gaps_have_no_age_and_are_never_overdue()
    {
        var tracker = new TradeSequenceTracker();
        Pass(tracker, 10);
        Pass(tracker, 15);

        tracker.OpenGaps.ShouldHaveSingleItem().DetectedAt.ShouldBeNull();
        tracker.OldestGapDetectedAt.ShouldBeNull();
        tracker.TakeOverdue(TimeSpan.FromTicks(1)).ShouldBeEmpty();
    }
}

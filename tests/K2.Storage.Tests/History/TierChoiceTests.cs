using K2.Core;
using K2.Storage.History;

namespace K2.Storage.Tests.History;

/// <summary>The edges of the rule that leaves the cold tier out, on cold rows from time 100 to time 200 (inclusive).</summary>
public sealed class TierChoiceTests
{
    private const string Cold = "icebergLocal(...)";
    private static readonly HistoryBounds Bounds = new(new UnixMicros(100), new UnixMicros(200));

    private static UnixMicros T(long micros) => new(micros);

    [Theory]
    [InlineData(201L, null, ReadDirection.OldestFirst, "HotOnly")] // starts after the last cold row
    [InlineData(200L, null, ReadDirection.OldestFirst, "Both")] // starts at it: a hot page cannot come before it
    [InlineData(null, 100L, ReadDirection.NewestFirst, "HotOnly")] // ends before the first cold row
    [InlineData(null, 101L, ReadDirection.NewestFirst, "Both")] // ends just after it: nothing newer than the last one
    [InlineData(null, 202L, ReadDirection.NewestFirst, "HotFirst")] // room for rows newer than the last cold row
    [InlineData(null, 201L, ReadDirection.NewestFirst, "Both")] // the newest row it can hold is at 200, inside cold
    [InlineData(null, null, ReadDirection.NewestFirst, "HotFirst")]
    [InlineData(99L, 150L, ReadDirection.OldestFirst, "HotFirst")] // room for rows before the first cold row
    [InlineData(100L, 150L, ReadDirection.OldestFirst, "Both")]
    public void A_range_is_read_from_the_tiers_its_bounds_allow(long? from, long? to, ReadDirection direction, string plan) =>
        TierChoice.Plan(Cold, known: true, Bounds, from is { } f ? T(f) : null, to is { } t ? T(t) : null, direction).ShouldBe(Enum.Parse<TierPlan>(plan));

    [Fact]
    public void Without_known_bounds_both_tiers_are_read_and_without_cold_rows_or_a_cold_table_the_hot_tier_alone()
    {
        TierChoice.Plan(Cold, known: false, null, null, null, ReadDirection.NewestFirst).ShouldBe(TierPlan.Both);
        TierChoice.Plan(Cold, known: true, null, null, null, ReadDirection.NewestFirst).ShouldBe(TierPlan.HotOnly);
        TierChoice.Plan(null, known: false, null, null, null, ReadDirection.OldestFirst).ShouldBe(TierPlan.HotOnly);
    }

    [Fact]
    public void A_hot_page_settles_the_read_only_when_full_and_wholly_beyond_the_cold_rows()
    {
        UnixMicros[] newest = [T(300), T(250), T(201)];
        TierChoice.Settles(newest, 3, ReadDirection.NewestFirst, Bounds, t => t).ShouldBeTrue();
        TierChoice.Settles(newest, 4, ReadDirection.NewestFirst, Bounds, t => t).ShouldBeFalse("a short page: cold rows may complete it");
        TierChoice.Settles([T(300), T(200)], 2, ReadDirection.NewestFirst, Bounds, t => t).ShouldBeFalse("a cold row may share time 200");
        TierChoice.Settles([T(10), T(99)], 2, ReadDirection.OldestFirst, Bounds, t => t).ShouldBeTrue();
        TierChoice.Settles([T(10), T(100)], 2, ReadDirection.OldestFirst, Bounds, t => t).ShouldBeFalse();
    }
}

using K2.Core;
using K2.Storage.History;

namespace K2.Storage.Tests.History;

/// <summary>Per-tier bounds: what an export's windows read.</summary>
public sealed class TierBoundsTests
{
    private static readonly HistoryBounds Hot = new(new UnixMicros(500), new UnixMicros(900));
    private static readonly HistoryBounds Cold = new(new UnixMicros(100), new UnixMicros(600));

    [Fact]
    public void Both_tiers_together_span_from_the_first_row_of_either_to_the_last_of_either()
    {
        new TierBounds(Hot, Cold).All.ShouldBe(new HistoryBounds(new UnixMicros(100), new UnixMicros(900)));
        new TierBounds(Hot, null).All.ShouldBe(Hot);
        new TierBounds(null, Cold).All.ShouldBe(Cold);
        new TierBounds(null, null).All.ShouldBeNull();
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(0L, 100L, false)] // ends where the rows begin: the end is exclusive
    [InlineData(0L, 101L, true)]
    [InlineData(600L, null, true)] // begins at the last row: the start is inclusive
    [InlineData(601L, null, false)]
    [InlineData(200L, 300L, true)]
    [InlineData(null, 100L, false)]
    public void A_window_overlaps_the_bounds_when_it_can_hold_a_row_between_the_first_and_the_last(long? from, long? to, bool overlaps) =>
        Cold.Overlaps(from is { } f ? new UnixMicros(f) : null, to is { } t ? new UnixMicros(t) : null).ShouldBe(overlaps);
}

using K2.Core;
using K2.Storage.History;

namespace K2.Storage.Tests.History;

/// <summary>An export's windows: the range narrowed to its rows, cut at whole hours by the rows each holds.</summary>
public sealed class HistoryExportWindowsTests
{
    private const long Hour = 3_600_000_000;

    private static UnixMicros At(double hours) => new((long)(hours * Hour));

    private static TierBounds Rows(double first, double last, params (int Hour, long Rows)[] hours) => Rows(At(first), At(last), hours);

    private static TierBounds Rows(UnixMicros first, UnixMicros last, params (int Hour, long Rows)[] hours) =>
        new(new HistoryBounds(first, last), null) { Hours = [.. hours.Select(h => new HourRows(At(h.Hour), h.Rows))] };

    [Fact]
    public void A_range_without_rows_is_one_empty_window_at_its_start() =>
        HistoryExport.Windows(At(1), At(9), new TierBounds(null, null), 10).ShouldBe([(At(1), At(1))]);

    [Fact]
    public void The_range_is_narrowed_to_its_first_row_and_just_past_its_last()
    {
        var bounds = Rows(2.5, 4.25, (2, 5), (3, 5), (4, 5));

        HistoryExport.Windows(At(1), At(9), bounds, 100).ShouldBe([(At(2.5), new UnixMicros(At(4.25).Value + 1))]);
        HistoryExport.Windows(At(3), At(4), bounds, 100).ShouldBe([(At(3), At(4))]);
    }

    [Fact]
    public void A_window_ends_at_the_hour_whose_rows_would_take_it_past_the_limit()
    {
        var bounds = Rows(0.5, 3.5, (0, 30), (1, 30), (2, 50), (3, 10));

        HistoryExport.Windows(At(0), At(4), bounds, 60).ShouldBe([(At(0.5), At(2)), (At(2), new UnixMicros(At(3.5).Value + 1))]);
    }

    [Fact]
    public void An_hour_with_more_rows_than_the_limit_is_a_window_of_its_own()
    {
        var bounds = Rows(0, 3.5, (0, 10), (1, 500), (2, 10), (3, 10));

        HistoryExport.Windows(At(0), At(4), bounds, 100).ShouldBe([(At(0), At(1)), (At(1), At(2)), (At(2), new UnixMicros(At(3.5).Value + 1))]);
    }

    [Fact]
    public void Empty_hours_between_rows_join_the_window_they_fall_in()
    {
        var bounds = Rows(0, 47.5, (0, 40), (20, 40), (47, 40));

        HistoryExport.Windows(At(0), At(48), bounds, 80).ShouldBe([(At(0), At(47)), (At(47), new UnixMicros(At(47.5).Value + 1))]);
    }

    [Fact]
    public void Windows_cover_the_narrowed_range_in_order_without_gap_or_overlap_and_keep_to_the_limit_but_for_single_hours()
    {
        for (var seed = 1; seed <= 300; seed++)
        {
            var random = new Random(seed);
            var hours = Enumerable.Range(0, random.Next(1, 60)).Where(_ => random.Next(3) > 0).Select(h => (h, (long)random.Next(1, 120))).ToArray();
            if (hours.Length == 0)
            {
                continue;
            }

            var (from, to) = (At(hours[0].h + random.NextDouble()), At(hours[^1].h + random.NextDouble()));
            if (to < from)
            {
                (from, to) = (to, from); // one hour: its first row comes before its last
            }
            var bounds = Rows(from, to, hours);
            var limit = random.Next(1, 200);

            var windows = HistoryExport.Windows(At(-1), At(100), bounds, limit).ToList();

            windows[0].From.ShouldBe(from, $"seed {seed}");
            windows[^1].To.ShouldBe(new UnixMicros(to.Value + 1), $"seed {seed}");
            for (var i = 0; i < windows.Count; i++)
            {
                windows[i].To.ShouldBeGreaterThan(windows[i].From, $"seed {seed}");
                if (i > 0)
                {
                    windows[i].From.ShouldBe(windows[i - 1].To, $"seed {seed}");
                    windows[i].From.Value.ShouldBe(windows[i].From.Value / Hour * Hour, $"seed {seed}: a cut is at a whole hour");
                }

                var inside = hours.Where(h => At(h.h + 1) > windows[i].From && At(h.h) < windows[i].To).ToList();
                (inside.Count == 1 || inside.Sum(h => h.Item2) <= limit).ShouldBeTrue($"seed {seed}: window {i} holds {inside.Sum(h => h.Item2)} rows in {inside.Count} hours");
            }
        }
    }
}

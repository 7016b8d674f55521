using K2.Core;

namespace K2.Storage.History;

/// <summary>Which tiers a history read must take, given where the instrument's rows lie in the cold snapshot it reads.</summary>
internal enum TierPlan
{
    /// <summary>The cold tier provably adds nothing: no bounds overlap, or no cold table, or no rows of the instrument in it.</summary>
    HotOnly,

    /// <summary>Read the hot tier first; its page is the answer if <see cref="TierChoice.Settles"/> says so, else read both.</summary>
    HotFirst,

    /// <summary>Read both tiers as one (the cold bounds are not known yet).</summary>
    Both,
}

/// <summary>
/// When the cold tier can be left out of a read, exactly. A range [lower, upper) that misses the instrument's cold
/// bounds has no cold row. Otherwise a full hot page whose rows all come before every cold row in the page's order
/// (newest first: its oldest row is newer than the newest cold row; oldest first: its newest row is older than the
/// oldest cold row) is the answer: any cold row would follow the whole page, and no key of the page is in cold (a key's
/// time is the same in every version and tier).
/// </summary>
internal static class TierChoice
{
    /// <param name="cold">The cold snapshot's function, or null when the table is not in the catalog.</param>
    /// <param name="known">Whether the instrument's bounds in that snapshot are known.</param>
    /// <param name="bounds">The bounds (inclusive), null when the instrument has no cold rows.</param>
    /// <param name="lower">The read's lowest time, inclusive, after its keyset position; null when open.</param>
    /// <param name="upper">The read's highest time, exclusive, after its keyset position; null when open.</param>
    /// <param name="direction">The read's order: a hot page can only settle it with rows beyond the cold bounds on its near side.</param>
    public static TierPlan Plan(string? cold, bool known, HistoryBounds? bounds, UnixMicros? lower, UnixMicros? upper, ReadDirection direction)
    {
        if (cold is null || (known && bounds is null))
        {
            return TierPlan.HotOnly;
        }

        if (!known)
        {
            return TierPlan.Both;
        }

        var rows = bounds!.Value;
        if ((lower is { } low && low > rows.Last) || (upper is { } high && high <= rows.First))
        {
            return TierPlan.HotOnly;
        }

        var roomBeyond = direction == ReadDirection.NewestFirst
            ? upper is not { } top || top.Value - 1 > rows.Last.Value
            : lower is not { } bottom || bottom < rows.First;
        return roomBeyond ? TierPlan.HotFirst : TierPlan.Both;
    }

    /// <summary>Whether the hot tier's <paramref name="page"/> is the answer (see the class remarks).</summary>
    public static bool Settles<T>(IReadOnlyList<T> page, int limit, ReadDirection direction, HistoryBounds cold, Func<T, UnixMicros> time) =>
        page.Count >= limit && (direction == ReadDirection.NewestFirst ? time(page[^1]) > cold.Last : time(page[^1]) < cold.First);
}

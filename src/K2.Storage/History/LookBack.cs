using K2.Core;

namespace K2.Storage.History;

/// <summary>
/// Newest-first reads without a lower bound, kept cheap for an active instrument: the read is tried over growing
/// windows below an anchor (the newest time the page can hold), each a few day partitions at most in either tier, and
/// only a window that yields fewer rows than the page needs is widened. A window that yields a full page holds the
/// newest rows, since every row outside it is older than every row in it.
/// </summary>
internal static class LookBack
{
    /// <param name="spans">Window lengths in growing order; null is unbounded and must come last.</param>
    /// <param name="anchor">The top of the windows.</param>
    /// <param name="from">The query's own lower bound, if any: a window reaching below it is the last one tried.</param>
    /// <param name="limit">Rows in a full page.</param>
    /// <param name="read">Reads the page with the given extra lower bound (inclusive), or none.</param>
    public static async Task<IReadOnlyList<T>> ReadAsync<T>(
        IReadOnlyList<TimeSpan?> spans, UnixMicros anchor, UnixMicros? from, int limit, Func<UnixMicros?, Task<IReadOnlyList<T>>> read)
    {
        foreach (var span in spans)
        {
            UnixMicros? since = span is { } length ? new UnixMicros(anchor.Value - (length.Ticks / TimeSpan.TicksPerMicrosecond)) : null;
            var last = since is not { } start || (from is { } bound && start <= bound);
            var rows = await read(last ? null : since);
            if (last || rows.Count >= limit)
            {
                return rows;
            }
        }

        throw new ArgumentException("The last window must be unbounded.", nameof(spans));
    }
}

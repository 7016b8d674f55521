using System.Collections.Concurrent;
using System.Text;
using K2.Storage.ClickHouse;

namespace K2.Storage.History;

/// <summary>
/// Pages read from the cold tier, kept by the statement, its parameters and the metadata file the read was pinned to.
/// A metadata file names one snapshot, and a snapshot never changes, so a kept page is exactly what the same read would
/// give again until a commit moves the catalog (and the key with it). Polling the same range of the past then costs
/// the hot tier's read alone. Bounded by the rows kept (<see cref="MaxRows"/>, a few tens of MB); when full it starts
/// over rather than track use.
/// </summary>
public sealed class ColdPageCache
{
    internal const int MaxRows = 100_000;

    private readonly ConcurrentDictionary<string, object> _pages = new(StringComparer.Ordinal);
    private int _rows;

    /// <summary>The page of <paramref name="sql"/> over <paramref name="coldRead"/>'s snapshot, read by <paramref name="read"/> when not kept.</summary>
    public async Task<IReadOnlyList<T>> GetOrReadAsync<T>(
        ColdTableRead coldRead, string sql, ClickHouseParameters parameters, Func<Task<IReadOnlyList<T>>> read)
    {
        var key = Key(coldRead, sql, parameters);
        if (_pages.TryGetValue(key, out var kept) && kept is IReadOnlyList<T> page)
        {
            return page;
        }

        page = await read();
        if (page.Count <= MaxRows)
        {
            if (Interlocked.Add(ref _rows, page.Count) > MaxRows)
            {
                _pages.Clear();
                Interlocked.Exchange(ref _rows, page.Count);
            }

            _pages[key] = page;
        }

        return page;
    }

    private static string Key(ColdTableRead coldRead, string sql, ClickHouseParameters parameters)
    {
        var key = new StringBuilder(coldRead.MetadataLocation).Append('\n').Append(sql);
        foreach (var (name, value) in parameters.Values)
        {
            key.Append('\n').Append(name).Append('=').Append(value);
        }

        return key.ToString();
    }
}

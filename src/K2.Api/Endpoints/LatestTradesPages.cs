using System.Collections.Concurrent;
using System.Text.Json;
using K2.Api.Contracts;
using K2.Core;
using K2.Storage.History;
using K2.Storage.Trades;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace K2.Api.Endpoints;

/// <summary>
/// The JSON of the newest-trades pages that the instrument grains' memory answers, kept until that memory changes.
/// A few symbols polled thousands of times a second then cost a lookup and a copy of bytes per request, not a hundred
/// trades formatted again; a page is rewritten as soon as a trade lands or the memory stops being sure of its answer
/// (<see cref="ILatestTradesSource.VersionOf"/>). Bounded: pages of at most <see cref="MaxKeptLimit"/> trades are kept,
/// at most <see cref="MaxKeptPages"/> of them (a few MB); the rest are written per request.
/// </summary>
public sealed class LatestTradesPages(ILatestTradesSource? source, IOptions<JsonOptions> json)
{
    internal const int MaxKeptLimit = 1_000;

    internal const int MaxKeptPages = 64;

    private readonly ConcurrentDictionary<(Exchange Exchange, string Symbol, int Limit), Page> _pages = new();

    /// <summary>
    /// The newest <paramref name="limit"/> trades from memory as the JSON of <paramref name="respond"/>'s page, or null
    /// when memory cannot answer (the caller reads the store).
    /// </summary>
    public byte[]? TryGet(Exchange exchange, string symbol, int limit, Func<IReadOnlyList<StoredTrade>, TradesResponse> respond)
    {
        if (source is null)
        {
            return null;
        }

        var key = (exchange, symbol, limit);
        if (_pages.TryGetValue(key, out var kept) && source.VersionOf(exchange, symbol) == kept.Version)
        {
            return kept.Json;
        }

        if (source.TryGetLatest(exchange, symbol, limit, out var version) is not { } rows)
        {
            return null;
        }

        var page = new Page(version, JsonSerializer.SerializeToUtf8Bytes(respond(rows), json.Value.SerializerOptions));
        if (limit <= MaxKeptLimit)
        {
            if (_pages.Count >= MaxKeptPages && !_pages.ContainsKey(key))
            {
                _pages.Clear(); // many different pages asked for: start over rather than grow
            }

            _pages[key] = page;
        }

        return page.Json;
    }

    private sealed record Page(long Version, byte[] Json);
}

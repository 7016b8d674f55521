using System.Globalization;
using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Rest;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Exchanges.Coinbase;

/// <summary>
/// Coinbase trade history: the public ticker endpoint returns a time window's trades newest first, so the window is
/// walked backwards from its end to its start, and the pages are then handed over oldest first (handing the newest
/// first would make every older trade look like a gap behind it).
/// </summary>
internal sealed partial class CoinbaseTradeHistoryClient(
    RestPager pager, CoinbaseOptions options, TimeProvider time, ILogger<CoinbaseTradeHistoryClient> logger) : ITradeHistoryClient
{
    /// <summary>Past this many trades in one window, pages are handed over as they come rather than held for ordering.</summary>
    private const int MaxHeldTrades = 200_000;

    public Exchange Exchange => Exchange.Coinbase;

    public async Task FetchAsync(BackfillRequest request, Func<TradeHistoryPage, CancellationToken, Task> onPage, CancellationToken cancellationToken)
    {
        // Coinbase pages by time; an instrument that has passed nothing on has no time to continue from.
        if (request.After is not { } after)
        {
            return;
        }

        var product = CoinbaseSymbols.MarketDataProductId(request.Instrument);
        var start = after.Value - 1; // several trades can share the last one's time; known ones are dropped
        var end = (request.Before ?? UnixMicros.Now(time)).Value + 1;
        var pages = new Stack<TradeHistoryPage>();
        var held = 0;
        while (end > start)
        {
            var path = string.Create(CultureInfo.InvariantCulture,
                $"{CoinbaseEndpoints.TickerPath(product)}?limit={CoinbaseEndpoints.MaxTickerLimit}&start={Seconds(start)}&end={Seconds(end)}");
            var body = await pager.GetAsync(options.RestBase, path, weight: 1, headers: null, cancellationToken);

            var receivedAt = UnixMicros.Now(time);
            List<Trade> trades = [];
            List<TradeRejection> rejections = [];
            // An operator's requested range may lie beyond the live rule's 30 days.
            var timeRule = request.Reason == BackfillReason.Requested ? ExchangeTimeRule.Replay : ExchangeTimeRule.Live;
            if (!CoinbaseRestTradesParser.TryParse(body, request.Instrument, options.SideConvention, receivedAt, trades, rejections, timeRule))
            {
                throw new HttpRequestException($"Coinbase answered {path} with a body that is not a trade list.");
            }

            trades.Reverse(); // oldest first within the page
            var page = new TradeHistoryPage(trades, rejections, $"GET {path}", receivedAt);
            if (held + trades.Count <= MaxHeldTrades)
            {
                pages.Push(page);
                held += trades.Count;
            }
            else
            {
                await onPage(page, cancellationToken);
            }

            if (trades.Count + rejections.Count < CoinbaseEndpoints.MaxTickerLimit || trades.Count == 0)
            {
                break; // the window's start is reached
            }

            // Next: what is older than this page's oldest trade, that microsecond included (ties are deduplicated). If
            // a whole page shares that microsecond, paging by time cannot get past it: skip it, and say so.
            var oldest = trades[0].ExchangeTime.Value;
            if (oldest + 1 < end)
            {
                end = oldest + 1;
            }
            else
            {
                LogTiedPage(logger, product, trades[0].ExchangeTime.ToString(), trades.Count);
                end = oldest;
            }
        }

        while (pages.TryPop(out var page))
        {
            await onPage(page, cancellationToken);
        }
    }

    /// <summary>Unix seconds with microseconds, e.g. <c>1763769600.123456</c>.</summary>
    private static string Seconds(long micros) =>
        (micros / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);

    [LoggerMessage(EventId = GrainsEventIds.BackfillSkipped, Level = LogLevel.Error,
        Message = "Coinbase {Product}: a full page of {Trades} trades shares {Time}; trades beyond that page at that instant cannot be fetched by time")]
    private static partial void LogTiedPage(ILogger logger, string product, string time, int trades);
}

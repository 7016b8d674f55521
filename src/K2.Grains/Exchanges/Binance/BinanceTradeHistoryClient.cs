using System.Globalization;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Rest;

namespace K2.Grains.Exchanges.Binance;

/// <summary>
/// Binance trade history by id: <c>GET /api/v3/historicalTrades?symbol=…&amp;fromId=…&amp;limit=…</c> in microseconds, page
/// after page until the requested id (or the present) is reached; each page costs 25 of the request-weight budget.
/// An operator's requested time range [After, Before) has no id to start from: one
/// <c>GET /api/v3/aggTrades?startTime=…&amp;limit=1</c> (weight 4) names the first trade at or after its start, and
/// pages from there on stop at its end; trades outside the range are not passed on.
/// </summary>
internal sealed class BinanceTradeHistoryClient(RestPager pager, BinanceOptions options, TimeProvider time) : ITradeHistoryClient
{
    private const long MicrosPerMillisecond = 1_000;

    private static readonly Dictionary<string, string> MicrosecondTimes = new() { [BinanceEndpoints.TimeUnitHeader] = "MICROSECOND" };

    public Exchange Exchange => Exchange.Binance;

    public async Task FetchAsync(BackfillRequest request, Func<TradeHistoryPage, CancellationToken, Task> onPage, CancellationToken cancellationToken)
    {
        if (request.Reason == BackfillReason.Requested)
        {
            await FetchRangeAsync(request, onPage, cancellationToken);
            return;
        }

        // Binance pages by id; an instrument that has passed nothing on has no id to continue from.
        if (request.FromId is { } fromId)
        {
            await FetchFromIdAsync(request, fromId, range: null, onPage, cancellationToken);
        }
    }

    private async Task FetchRangeAsync(BackfillRequest request, Func<TradeHistoryPage, CancellationToken, Task> onPage, CancellationToken cancellationToken)
    {
        if (request.After is not { } from)
        {
            return;
        }

        var to = request.Before ?? UnixMicros.Now(time);
        // startTime is whole milliseconds: the one holding `from` may start with trades before it, which are left out.
        var path = string.Create(CultureInfo.InvariantCulture,
            $"{BinanceEndpoints.AggregateTradesPath}?symbol={request.Instrument.ExchangeSymbol}&startTime={from.Value / MicrosPerMillisecond}&limit=1");
        var body = await pager.GetAsync(options.RestBase, path, BinanceEndpoints.AggregateTradesWeight, headers: null, cancellationToken);
        if (!BinanceAggregateTradesParser.TryReadFirstTradeId(body, out var firstTradeId))
        {
            throw new HttpRequestException($"Binance answered {path} with a body that is not an aggregate trade list.");
        }

        if (firstTradeId is { } fromId)
        {
            await FetchFromIdAsync(request, fromId, (from, to), onPage, cancellationToken);
        }
    }

    /// <summary>Pages from <paramref name="fromId"/> on; with a <paramref name="range"/>, only its trades are passed on, and its end stops the paging.</summary>
    private async Task FetchFromIdAsync(
        BackfillRequest request, long fromId, (UnixMicros From, UnixMicros To)? range,
        Func<TradeHistoryPage, CancellationToken, Task> onPage, CancellationToken cancellationToken)
    {
        // An operator's requested range may lie beyond the live rule's 30 days.
        var timeRule = request.Reason == BackfillReason.Requested ? ExchangeTimeRule.Replay : ExchangeTimeRule.Live;
        while (true)
        {
            // A gap asks for exactly its ids (the weight is the same, the page smaller); a catch-up or range for full pages.
            var limit = request.ToId is { } last ? (int)Math.Clamp(last - fromId + 1, 1, BinanceEndpoints.MaxRestLimit) : BinanceEndpoints.MaxRestLimit;
            var path = string.Create(CultureInfo.InvariantCulture,
                $"{BinanceEndpoints.HistoricalTradesPath}?symbol={request.Instrument.ExchangeSymbol}&fromId={fromId}&limit={limit}");
            var body = await pager.GetAsync(options.RestBase, path, BinanceEndpoints.HistoricalTradesWeight, MicrosecondTimes, cancellationToken);

            var receivedAt = UnixMicros.Now(time);
            List<Trade> trades = [];
            List<TradeRejection> rejections = [];
            if (!BinanceRestTradesParser.TryParse(body, request.Instrument, BinanceTimeUnit.Microsecond, receivedAt, trades, rejections, timeRule))
            {
                throw new HttpRequestException($"Binance answered {path} with a body that is not a trade list.");
            }

            var received = trades.Count;
            var lastId = received == 0 ? fromId - 1 : trades.Max(t => t.TradeId.Number);
            var reachedEnd = false;
            if (range is { } r)
            {
                reachedEnd = trades.Exists(t => t.ExchangeTime >= r.To);
                trades.RemoveAll(t => t.ExchangeTime < r.From || t.ExchangeTime >= r.To);
            }

            await onPage(new TradeHistoryPage(trades, rejections, $"GET {path}", receivedAt), cancellationToken);
            if (received == 0 || received + rejections.Count < limit || reachedEnd)
            {
                return; // the present, or the range's end, is reached
            }

            if (request.ToId is { } toId && lastId >= toId)
            {
                return;
            }

            fromId = lastId + 1;
        }
    }
}

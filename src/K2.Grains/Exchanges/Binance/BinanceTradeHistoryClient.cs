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
/// </summary>
internal sealed class BinanceTradeHistoryClient(RestPager pager, BinanceOptions options, TimeProvider time) : ITradeHistoryClient
{
    private static readonly Dictionary<string, string> MicrosecondTimes = new() { [BinanceEndpoints.TimeUnitHeader] = "MICROSECOND" };

    public Exchange Exchange => Exchange.Binance;

    public async Task FetchAsync(BackfillRequest request, Func<TradeHistoryPage, CancellationToken, Task> onPage, CancellationToken cancellationToken)
    {
        // Binance pages by id; an instrument that has passed nothing on has no id to continue from.
        if (request.FromId is not { } fromId)
        {
            return;
        }

        while (true)
        {
            // A gap asks for exactly its ids (the weight is the same, the page smaller); a catch-up for full pages.
            var limit = request.ToId is { } last ? (int)Math.Clamp(last - fromId + 1, 1, BinanceEndpoints.MaxRestLimit) : BinanceEndpoints.MaxRestLimit;
            var path = string.Create(CultureInfo.InvariantCulture,
                $"{BinanceEndpoints.HistoricalTradesPath}?symbol={request.Instrument.ExchangeSymbol}&fromId={fromId}&limit={limit}");
            var body = await pager.GetAsync(options.RestBase, path, BinanceEndpoints.HistoricalTradesWeight, MicrosecondTimes, cancellationToken);

            var receivedAt = UnixMicros.Now(time);
            List<Trade> trades = [];
            List<TradeRejection> rejections = [];
            if (!BinanceRestTradesParser.TryParse(body, request.Instrument, BinanceTimeUnit.Microsecond, receivedAt, trades, rejections))
            {
                throw new HttpRequestException($"Binance answered {path} with a body that is not a trade list.");
            }

            await onPage(new TradeHistoryPage(trades, rejections, $"GET {path}", receivedAt), cancellationToken);
            if (trades.Count == 0 || trades.Count + rejections.Count < limit)
            {
                return; // the present is reached
            }

            var lastId = trades.Max(t => t.TradeId.Number);
            if (request.ToId is { } toId && lastId >= toId)
            {
                return;
            }

            fromId = lastId + 1;
        }
    }
}

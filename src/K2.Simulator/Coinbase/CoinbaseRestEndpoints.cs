using System.Globalization;
using K2.Core;
using K2.Core.Exchanges.Coinbase;

namespace K2.Simulator.Coinbase;

/// <summary>
/// Coinbase's public market trades, <c>GET /coinbase/api/v3/brokerage/market/products/{product_id}/ticker</c>, served
/// from the ground truth so every printed trade is on REST ("Get Public Market Trades").
/// </summary>
/// <remarks>
/// <c>limit</c> (1 to 1000) is required; <c>start</c> and <c>end</c> are UNIX seconds, fractions allowed, and select
/// trades with <c>start &lt;= time &lt; end</c>. The answer is the newest <c>limit</c> trades of that window, newest first,
/// as Coinbase returns them; a client pages backwards by setting <c>end</c> to the oldest time it got (times are strictly
/// increasing per product, so nothing is skipped or repeated). <c>best_bid</c>/<c>best_ask</c> are one tick either
/// side of the last price. A product id may be the USDC alias of a listed USD product.
/// </remarks>
internal static class CoinbaseRestEndpoints
{
    private const decimal MicrosPerSecond = 1_000_000m;

    public static IEndpointRouteBuilder MapCoinbaseRest(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup($"{CoinbaseWebSocketEndpoints.PathPrefix}{CoinbaseEndpoints.TickerPathPrefix.TrimEnd('/')}");
        api.MapGet("/{productId}" + CoinbaseEndpoints.TickerPathSuffix, GetTicker).WithName("CoinbaseMarketTrades");
        return endpoints;
    }

    private static CoinbaseJsonResult GetTicker(
        string productId, HttpRequest request, CoinbaseVenue venue, GroundTruth groundTruth, SimulatorOptions options)
    {
        // Refused before anything else, as a rate limiter in front of the API would.
        if (venue.Faults.TakeRestFault(Exchange.Coinbase) is { } fault)
        {
            venue.Faults.Count(Exchange.Coinbase, FaultKind.RestTooManyRequests);
            return CoinbaseJsonResult.Error(StatusCodes.Status429TooManyRequests, CoinbaseErrors.RestRateLimited, CoinbaseErrors.RestTooManyRequests,
                fault.RetryAfter);
        }

        if (!venue.TryResolveProduct(productId, out var product))
        {
            return CoinbaseJsonResult.Error(StatusCodes.Status404NotFound, CoinbaseErrors.RestNotFound, CoinbaseErrors.RestProductNotFound);
        }

        if (ReadQuery(request, out var query) is { } refusal)
        {
            return refusal;
        }

        var trades = venue.SymbolsOf(product)
            .SelectMany(symbol => groundTruth.For(Exchange.Coinbase, symbol))
            .OrderBy(t => t.TradeTime)
            .ToList();
        var window = trades
            .Where(t => (query.Start is not { } start || t.TradeTime >= start) && (query.End is not { } end || t.TradeTime < end))
            .Reverse()
            .Take(query.Limit)
            .ToList();
        var (bid, ask) = trades.Count == 0 ? ("", "") : BestBidAsk(trades[^1]);
        return CoinbaseJsonResult.Create(StatusCodes.Status200OK,
            w => CoinbaseWireWriter.WriteTicker(w, window, options.CoinbaseSideConvention, bid, ask));
    }

    private static CoinbaseJsonResult? ReadQuery(HttpRequest request, out TickerQuery query)
    {
        query = default;
        var limitText = request.Query[CoinbaseEndpoints.TickerLimitParameter].ToString();
        if (limitText.Length == 0)
        {
            return CoinbaseJsonResult.Error(StatusCodes.Status400BadRequest, CoinbaseErrors.RestInvalidArgument, CoinbaseErrors.RestLimitRequired);
        }

        if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > CoinbaseEndpoints.MaxTickerLimit)
        {
            return CoinbaseJsonResult.Error(StatusCodes.Status400BadRequest, CoinbaseErrors.RestInvalidArgument,
                CoinbaseErrors.RestLimitOutOfRange(CoinbaseEndpoints.MaxTickerLimit));
        }

        if (!TryReadTime(request, CoinbaseEndpoints.TickerStartParameter, out var start))
        {
            return CoinbaseJsonResult.Error(StatusCodes.Status400BadRequest, CoinbaseErrors.RestInvalidArgument,
                CoinbaseErrors.RestInvalidTime(CoinbaseEndpoints.TickerStartParameter));
        }

        if (!TryReadTime(request, CoinbaseEndpoints.TickerEndParameter, out var end))
        {
            return CoinbaseJsonResult.Error(StatusCodes.Status400BadRequest, CoinbaseErrors.RestInvalidArgument,
                CoinbaseErrors.RestInvalidTime(CoinbaseEndpoints.TickerEndParameter));
        }

        if (start > end)
        {
            return CoinbaseJsonResult.Error(StatusCodes.Status400BadRequest, CoinbaseErrors.RestInvalidArgument, CoinbaseErrors.RestStartAfterEnd);
        }

        query = new TickerQuery(limit, start, end);
        return null;
    }

    /// <summary>UNIX seconds with an optional fraction ("1795342500.25"), to the microsecond; absent is no bound.</summary>
    private static bool TryReadTime(HttpRequest request, string parameter, out UnixMicros? time)
    {
        time = null;
        var text = request.Query[parameter].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds > long.MaxValue / MicrosPerSecond)
        {
            return false;
        }

        // Sub-microsecond digits round down: the same instant a trade at that microsecond has.
        time = new UnixMicros((long)decimal.Floor(seconds * MicrosPerSecond));
        return true;
    }

    private static (string Bid, string Ask) BestBidAsk(PrintedTrade last)
    {
        var tick = new decimal(1, 0, 0, false, last.Price.Scale);
        return (CoinbaseWireWriter.DecimalText(Math.Max(tick, last.Price - tick)), CoinbaseWireWriter.DecimalText(last.Price + tick));
    }

    private readonly record struct TickerQuery(int Limit, UnixMicros? Start, UnixMicros? End);
}

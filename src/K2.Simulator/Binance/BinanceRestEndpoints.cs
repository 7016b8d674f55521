using System.Globalization;
using System.Text.RegularExpressions;
using K2.Core;
using K2.Core.Exchanges.Binance;

namespace K2.Simulator.Binance;

/// <summary>
/// Binance's public trade lookups under <c>/binance/api/v3</c>, served from the ground truth so every printed trade
/// is on REST (rest-api.md, "Recent trades list" and "Old trade lookup"). Each route charges its request weight
/// and may be refused with 429 or 418 first (<see cref="BinanceRestLimitFilter"/>).
/// </summary>
internal static partial class BinanceRestEndpoints
{
    private const string SymbolParameter = "symbol";
    private const string LimitParameter = "limit";
    private const string FromIdParameter = "fromId";

    public static IEndpointRouteBuilder MapBinanceRest(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(BinanceWebSocketEndpoints.PathPrefix);
        api.MapGet(BinanceEndpoints.RecentTradesPath, GetRecentTrades)
            .AddEndpointFilter(new BinanceRestLimitFilter(BinanceEndpoints.RecentTradesWeight))
            .WithName("BinanceRecentTrades");
        api.MapGet(BinanceEndpoints.HistoricalTradesPath, GetHistoricalTrades)
            .AddEndpointFilter(new BinanceRestLimitFilter(BinanceEndpoints.HistoricalTradesWeight))
            .WithName("BinanceHistoricalTrades");
        return endpoints;
    }

    /// <summary>The most recent trades, oldest first.</summary>
    private static BinanceJsonResult GetRecentTrades(HttpRequest request, BinanceVenue venue, GroundTruth groundTruth)
    {
        if (ReadQuery(request, venue, out var query) is { } refusal)
        {
            return refusal;
        }

        return Trades(groundTruth.Latest(Exchange.Binance, query.Symbol, query.Limit), query.TimeUnit);
    }

    /// <summary>Trades from <c>fromId</c> on, or the most recent ones without it.</summary>
    private static BinanceJsonResult GetHistoricalTrades(HttpRequest request, BinanceVenue venue, GroundTruth groundTruth)
    {
        if (ReadQuery(request, venue, out var query) is { } refusal)
        {
            return refusal;
        }

        var fromIdText = request.Query[FromIdParameter].ToString();
        if (fromIdText.Length == 0)
        {
            return Trades(groundTruth.Latest(Exchange.Binance, query.Symbol, query.Limit), query.TimeUnit);
        }

        if (!IntegerText().IsMatch(fromIdText) || !long.TryParse(fromIdText, NumberStyles.None, CultureInfo.InvariantCulture, out var fromId))
        {
            return BinanceJsonResult.BadRequest(BinanceErrors.IllegalCharsCode, BinanceErrors.IllegalChars(FromIdParameter, BinanceErrors.IntegerPattern));
        }

        return Trades(groundTruth.FromId(Exchange.Binance, query.Symbol, fromId, query.Limit), query.TimeUnit);
    }

    private static BinanceJsonResult Trades(IReadOnlyList<PrintedTrade> trades, BinanceTimeUnit unit) =>
        BinanceJsonResult.Create(StatusCodes.Status200OK, w => BinanceWireWriter.WriteRestTrades(w, trades, unit));

    /// <summary>The parameters both lookups share, checked in the order Binance names their errors.</summary>
    private static BinanceJsonResult? ReadQuery(HttpRequest request, BinanceVenue venue, out TradesQuery query)
    {
        query = default;
        var symbol = request.Query[SymbolParameter].ToString();
        if (symbol.Length == 0)
        {
            return BinanceJsonResult.BadRequest(BinanceErrors.MandatoryParamCode, BinanceErrors.MandatoryParam(SymbolParameter));
        }

        if (!SymbolText().IsMatch(symbol))
        {
            return BinanceJsonResult.BadRequest(BinanceErrors.IllegalCharsCode, BinanceErrors.IllegalChars(SymbolParameter, BinanceErrors.SymbolPattern));
        }

        if (!venue.TryGetInstrument(symbol, out _))
        {
            return BinanceJsonResult.BadRequest(BinanceErrors.BadSymbolCode, BinanceErrors.BadSymbol);
        }

        var limit = BinanceEndpoints.DefaultRestLimit;
        var limitText = request.Query[LimitParameter].ToString();
        if (limitText.Length > 0)
        {
            if (!IntegerText().IsMatch(limitText))
            {
                return BinanceJsonResult.BadRequest(BinanceErrors.IllegalCharsCode, BinanceErrors.IllegalChars(LimitParameter, BinanceErrors.IntegerPattern));
            }

            // Twenty digits may not fit an int; anything that long is over the maximum anyway.
            limit = int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : int.MaxValue;
            if (limit > BinanceEndpoints.MaxRestLimit)
            {
                return BinanceJsonResult.BadRequest(
                    BinanceErrors.MandatoryParamCode, BinanceErrors.GreaterThan(LimitParameter, BinanceEndpoints.MaxRestLimit));
            }

            if (limit < 1)
            {
                return BinanceJsonResult.BadRequest(BinanceErrors.InvalidParameterCode, BinanceErrors.InvalidParameter(LimitParameter));
            }
        }

        if (!BinanceTimeUnitNames.TryParse(request.Headers[BinanceEndpoints.TimeUnitHeader], out var timeUnit))
        {
            return BinanceJsonResult.BadRequest(BinanceErrors.InvalidTimeUnitCode, BinanceErrors.InvalidTimeUnit);
        }

        query = new TradesQuery(symbol, limit, timeUnit);
        return null;
    }

    [GeneratedRegex(BinanceErrors.IntegerPattern)]
    private static partial Regex IntegerText();

    [GeneratedRegex(BinanceErrors.SymbolPattern)]
    private static partial Regex SymbolText();

    private readonly record struct TradesQuery(string Symbol, int Limit, BinanceTimeUnit TimeUnit);
}

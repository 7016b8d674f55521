using System.Globalization;
using System.Text.RegularExpressions;
using K2.Core;
using K2.Core.Exchanges.Binance;

namespace K2.Simulator.Binance;

/// <summary>
/// Binance's public trade lookups under <c>/binance/api/v3</c>, served from the ground truth so every printed trade
/// is on REST (rest-api.md, "Recent trades list", "Old trade lookup" and "Compressed/Aggregate trades list"). Each
/// route charges its request weight and may be refused with 429 or 418 first (<see cref="BinanceRestLimitFilter"/>).
/// </summary>
internal static partial class BinanceRestEndpoints
{
    private const string SymbolParameter = "symbol";
    private const string LimitParameter = "limit";
    private const string FromIdParameter = "fromId";
    private const string StartTimeParameter = "startTime";
    private const string EndTimeParameter = "endTime";
    private const long MicrosPerMillisecond = 1_000;

    public static IEndpointRouteBuilder MapBinanceRest(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(BinanceWebSocketEndpoints.PathPrefix);
        api.MapGet(BinanceEndpoints.RecentTradesPath, GetRecentTrades)
            .AddEndpointFilter(new BinanceRestLimitFilter(BinanceEndpoints.RecentTradesWeight))
            .WithName("BinanceRecentTrades");
        api.MapGet(BinanceEndpoints.HistoricalTradesPath, GetHistoricalTrades)
            .AddEndpointFilter(new BinanceRestLimitFilter(BinanceEndpoints.HistoricalTradesWeight))
            .WithName("BinanceHistoricalTrades");
        api.MapGet(BinanceEndpoints.AggregateTradesPath, GetAggregateTrades)
            .AddEndpointFilter(new BinanceRestLimitFilter(BinanceEndpoints.AggregateTradesWeight))
            .WithName("BinanceAggregateTrades");
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

        if (ReadOptionalInteger(request, FromIdParameter, out var fromId) is { } badFromId)
        {
            return badFromId;
        }

        return Trades(fromId is { } id
            ? groundTruth.FromId(Exchange.Binance, query.Symbol, id, query.Limit)
            : groundTruth.Latest(Exchange.Binance, query.Symbol, query.Limit), query.TimeUnit);
    }

    /// <summary>
    /// Aggregates from <c>fromId</c>, or from <c>startTime</c> (to <c>endTime</c>, less than an hour on), or the most
    /// recent ones; times are milliseconds and both bounds inclusive. Sending <c>fromId</c> with a time, or
    /// <c>endTime</c> alone, is refused as a bad combination: the docs define neither.
    /// </summary>
    private static BinanceJsonResult GetAggregateTrades(HttpRequest request, BinanceVenue venue, GroundTruth groundTruth)
    {
        if (ReadQuery(request, venue, out var query) is { } refusal)
        {
            return refusal;
        }

        if (ReadOptionalInteger(request, FromIdParameter, out var fromId) is { } badFromId)
        {
            return badFromId;
        }

        if (ReadOptionalInteger(request, StartTimeParameter, out var startMs) is { } badStart)
        {
            return badStart;
        }

        if (ReadOptionalInteger(request, EndTimeParameter, out var endMs) is { } badEnd)
        {
            return badEnd;
        }

        if ((fromId is not null && (startMs is not null || endMs is not null)) || (endMs is not null && startMs is null))
        {
            return BinanceJsonResult.BadRequest(BinanceErrors.BadCombinationCode, BinanceErrors.BadCombination);
        }

        if (startMs is { } start)
        {
            if (endMs is { } end && end - start >= (long)BinanceErrors.MaxAggregateTradesRange.TotalMilliseconds)
            {
                return BinanceJsonResult.BadRequest(BinanceErrors.TooLongTimeRangeCode, BinanceErrors.TooLongTimeRange(BinanceErrors.MaxAggregateTradesRange));
            }

            // endTime is inclusive to the millisecond: its last microsecond is the bound.
            UnixMicros? last = endMs is { } e ? new UnixMicros((e * MicrosPerMillisecond) + MicrosPerMillisecond - 1) : null;
            return AggregateTrades(
                groundTruth.FromTime(Exchange.Binance, query.Symbol, new UnixMicros(start * MicrosPerMillisecond), last, query.Limit), query.TimeUnit);
        }

        return AggregateTrades(fromId is { } id
            ? groundTruth.FromId(Exchange.Binance, query.Symbol, id, query.Limit)
            : groundTruth.Latest(Exchange.Binance, query.Symbol, query.Limit), query.TimeUnit);
    }

    /// <summary>An optional unsigned integer parameter; null when absent.</summary>
    private static BinanceJsonResult? ReadOptionalInteger(HttpRequest request, string parameter, out long? value)
    {
        value = null;
        var text = request.Query[parameter].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (!IntegerText().IsMatch(text) || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            return BinanceJsonResult.BadRequest(BinanceErrors.IllegalCharsCode, BinanceErrors.IllegalChars(parameter, BinanceErrors.IntegerPattern));
        }

        value = parsed;
        return null;
    }

    private static BinanceJsonResult AggregateTrades(IReadOnlyList<PrintedTrade> trades, BinanceTimeUnit unit) =>
        BinanceJsonResult.Create(StatusCodes.Status200OK, w => BinanceWireWriter.WriteRestAggregateTrades(w, trades, unit));

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

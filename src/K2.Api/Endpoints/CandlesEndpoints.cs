using K2.Api.Contracts;
using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Storage.Candles;
using Microsoft.AspNetCore.Http.HttpResults;

namespace K2.Api.Endpoints;

public static class CandlesEndpoints
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 5_000;

    public static IEndpointRouteBuilder MapCandlesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/candles")
            .WithTags("Candles")
            .MapGet("", GetCandlesAsync)
            .WithName("GetCandles")
            .WithSummary("OHLCV candles of one instrument and timeframe, oldest first; buckets without trades have no candle.")
            .WithDescription(
                "Query: exchange, symbol, timeframe (1m|5m|15m|30m|1h|1d), from and to (ISO 8601 with Z or an offset; " +
                $"from inclusive, to exclusive; default: the last `limit` buckets up to now), limit (1-{MaxLimit}, default {DefaultLimit}). " +
                "A full page carries next_from, the from of the next page.");
        return app;
    }

    private static async Task<Results<Ok<CandlesResponse>, ValidationProblem>> GetCandlesAsync(
        HttpRequest request, InstrumentRegistry registry, CandleQueries candles, TimeProvider time, CancellationToken cancellationToken)
    {
        var query = new QueryValidation(request.Query);
        query.AllowOnly("exchange", "symbol", "timeframe", "from", "to", "limit");
        var exchange = query.RequiredExchange("exchange");
        var instrument = query.RequiredInstrument("symbol", exchange, registry);
        var timeframe = query.RequiredTimeframe("timeframe");
        var from = query.OptionalInstant("from");
        var to = query.OptionalInstant("to");
        var limit = query.OptionalInt("limit", DefaultLimit, 1, MaxLimit);
        query.Check(from is null || to is null || from < to, "from", "'from' must be before 'to'.");
        if (!query.IsValid || instrument is null || timeframe is not { } tf)
        {
            return TypedResults.ValidationProblem(query.Errors, title: "The request's query parameters are not valid.");
        }

        var end = to ?? new UnixMicros(UnixMicros.Now(time).Value + 1);
        var start = from ?? new UnixMicros(tf.BucketStart(end).Value - ((limit - 1) * tf.DurationMicros()));
        var rows = await candles.GetAsync(instrument.Exchange, instrument.Symbol, tf, start, end, limit, cancellationToken);
        var next = rows.Count == limit ? new UnixMicros(rows[^1].BucketStart.Value + 1).ToString() : null;
        return TypedResults.Ok(new CandlesResponse([.. rows.Select(ToResponse)], next));
    }

    private static CandleResponse ToResponse(StoredCandle candle) => new(
        candle.Exchange.ToName(),
        candle.Symbol,
        candle.Timeframe.ToName(),
        candle.BucketStart.ToString(),
        DecimalFormat.ToText(candle.Open, CandleAmounts.AmountScale),
        DecimalFormat.ToText(candle.High, CandleAmounts.AmountScale),
        DecimalFormat.ToText(candle.Low, CandleAmounts.AmountScale),
        DecimalFormat.ToText(candle.Close, CandleAmounts.AmountScale),
        DecimalFormat.ToText(candle.Volume, CandleAmounts.AmountScale),
        DecimalFormat.ToText(candle.QuoteVolume, CandleAmounts.QuoteScale),
        DecimalFormat.ToText(candle.BuyVolume, CandleAmounts.AmountScale),
        DecimalFormat.ToText(candle.SellVolume, CandleAmounts.AmountScale),
        candle.TradeCount,
        DecimalFormat.ToText(candle.Vwap, CandleAmounts.QuoteScale),
        candle.Version);
}

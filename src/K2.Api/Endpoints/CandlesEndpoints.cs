using K2.Api.Contracts;
using K2.Api.Exports;
using K2.Api.Paging;
using K2.Api.Parameters;
using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Storage.History;
using Microsoft.AspNetCore.Http.HttpResults;

namespace K2.Api.Endpoints;

public static class CandlesEndpoints
{

    public static IEndpointRouteBuilder MapCandlesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/candles")
            .WithTags("Candles")
            .MapGet("", GetCandlesAsync)
            .WithQueryRules<CandlesQuery>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .Produces(StatusCodes.Status200OK, typeof(CandlesResponse), "application/json", [.. ResponseFormats.ExportMediaTypes])
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithName("GetCandles")
            .WithSummary("OHLCV candles of one instrument and timeframe over the hot and cold tiers, each at its latest version.")
            .WithDescription(
                "With from and/or to: the candles whose bucket starts in [from, to), oldest first. Without either: the newest " +
                "candles, newest first. Buckets without trades have no candle. A full page carries next_cursor; pass it back " +
                "with the same exchange, symbol, timeframe, from and to for the next page (null when the range is exhausted). " +
                "format=ndjson, csv or parquet (or the Accept header) streams every candle of [from, to) instead, with every " +
                "column of the candle table.");
        return app;
    }

    private static async Task<Results<CandlesPageResult, ValidationProblem, HistoryExportResult>> GetCandlesAsync(
        [AsParameters] CandlesQuery query, HttpRequest request, InstrumentRegistry registry, CandleHistory history, HistoryExport export,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var checks = new HistoryRequestChecks();
        var instrument = checks.Instrument(registry, query.Exchange!, query.Symbol!);
        var (from, to) = checks.Range(query.From, query.To);
        var direction = HistoryRequestChecks.Direction(query.From, query.To);
        var fingerprint = PageCursor.Fingerprint("candles", query.Exchange, query.Symbol, query.Timeframe, from?.Value, to?.Value);
        var after = checks.Cursor(query.Cursor, fingerprint, direction);
        var format = ResponseFormats.Choose(query.Format, request);
        if (format != ResponseFormat.Json)
        {
            checks.Export(query.From, query.Limit, query.Cursor);
        }

        if (!checks.IsValid || instrument is null || !Timeframes.TryParse(query.Timeframe, out var timeframe))
        {
            return checks.Problem();
        }

        if (format != ResponseFormat.Json)
        {
            var end = to ?? UnixMicros.Now(time);
            return new HistoryExportResult(format, $"{query.Exchange}-{query.Symbol}-{query.Timeframe}-candles", (exportFormat, output, token) =>
                export.WriteCandlesAsync(exportFormat, instrument.Exchange, instrument.Symbol, timeframe, from!.Value, end, output, token));
        }

        var limit = query.Limit ?? CandlesQuery.DefaultLimit;
        var rows = await history.ReadAsync(
            new CandleHistoryQuery(instrument.Exchange, instrument.Symbol, timeframe, from, to, direction, after?.Position, limit),
            cancellationToken);
        var next = rows.Count == limit ? PageCursor.Encode(fingerprint, direction, rows[^1].BucketStart) : null;
        return new CandlesPageResult(rows, next);
    }
}

using K2.Api.Contracts;
using K2.Api.Exports;
using K2.Api.Paging;
using K2.Api.Parameters;
using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Storage.History;
using K2.Storage.Trades;
using Microsoft.AspNetCore.Http.HttpResults;

namespace K2.Api.Endpoints;

public static class TradesEndpoints
{
    /// <summary>What <see cref="TypedResults.Ok{TValue}"/> answers with, so a page from memory looks the same.</summary>
    private const string JsonContentType = "application/json; charset=utf-8";

    public static IEndpointRouteBuilder MapTradesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/trades")
            .WithTags("Trades")
            .MapGet("", GetTradesAsync)
            .WithQueryRules<TradesQuery>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .Produces(StatusCodes.Status200OK, typeof(TradesResponse), "application/json", [.. ResponseFormats.ExportMediaTypes])
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithName("GetTrades")
            .WithSummary("Trades of one instrument over the hot and cold tiers as one, each trade once.")
            .WithDescription(
                "With from and/or to: the trades in [from, to) by exchange time, oldest first. Without either: the newest " +
                "trades, newest first. Trades with the same exchange time are ordered by trade id. A full page carries " +
                "next_cursor; pass it back with the same exchange, symbol, from and to for the next page (null when the " +
                "range is exhausted). Cursors are positions, so trades arriving meanwhile neither repeat nor shift pages. " +
                "format=ndjson, csv or parquet (or the Accept header) streams every trade of [from, to) instead, with the " +
                "columns exchange, symbol, raw_symbol, trade_id, price, quantity, side, exchange_ts, receipt_ts, ingest_ts.");
        return app;
    }

    private static async Task<Results<Ok<TradesResponse>, FileContentHttpResult, ValidationProblem, HistoryExportResult>> GetTradesAsync(
        [AsParameters] TradesQuery query, HttpRequest request, InstrumentRegistry registry, TradeHistory history, HistoryExport export,
        TimeProvider time, LatestTradesPages latest, CancellationToken cancellationToken)
    {
        // The query rules have checked presence and form; what remains needs the registry or the other parameters.
        var checks = new HistoryRequestChecks();
        var instrument = checks.Instrument(registry, query.Exchange!, query.Symbol!);
        var (from, to) = checks.Range(query.From, query.To);
        var direction = HistoryRequestChecks.Direction(query.From, query.To);
        var fingerprint = PageCursor.Fingerprint("trades", query.Exchange, query.Symbol, from?.Value, to?.Value);
        var after = checks.Cursor(query.Cursor, fingerprint, direction);
        var format = ResponseFormats.Choose(query.Format, request);
        if (format != ResponseFormat.Json)
        {
            checks.Export(query.From, query.Limit, query.Cursor);
        }

        if (!checks.IsValid || instrument is null)
        {
            return checks.Problem();
        }

        if (format != ResponseFormat.Json)
        {
            var end = to ?? UnixMicros.Now(time);
            return new HistoryExportResult(format, $"{query.Exchange}-{query.Symbol}-trades", (exportFormat, output, token) =>
                export.WriteTradesAsync(exportFormat, instrument.Exchange, instrument.Symbol, from!.Value, end, output, token));
        }

        var limit = query.Limit ?? TradesQuery.DefaultLimit;
        TradesResponse Respond(IReadOnlyList<StoredTrade> rows) => new(
            [.. rows.Select(ToResponse)],
            rows.Count == limit ? PageCursor.Encode(fingerprint, direction, rows[^1].ExchangeTime, rows[^1].TradeId) : null);

        // The first page of the latest trades, from the instrument grain's memory where it holds exactly what the store does.
        if (from is null && to is null && after is null && latest.TryGet(instrument.Exchange, instrument.Symbol, limit, Respond) is { } memory)
        {
            return TypedResults.Bytes(memory, JsonContentType);
        }

        var rows = await history.ReadAsync(
            new TradeHistoryQuery(
                instrument.Exchange, instrument.Symbol, from, to, direction,
                after is { } position ? new TradePosition(position.Position, position.TradeId) : null,
                limit),
            cancellationToken);
        return TypedResults.Ok(Respond(rows));
    }

    private static TradeResponse ToResponse(StoredTrade trade) => new(
        trade.Exchange,
        trade.Symbol,
        trade.RawSymbol,
        trade.TradeId,
        DecimalFormat.ToText(trade.Price),
        DecimalFormat.ToText(trade.Quantity),
        trade.Side.ToName(),
        trade.ExchangeTime.ToString(),
        trade.ReceiptTime.ToString(),
        trade.IngestTime.ToString());
}

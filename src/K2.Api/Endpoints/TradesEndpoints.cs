using K2.Api.Contracts;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Storage.Trades;
using Microsoft.AspNetCore.Http.HttpResults;

namespace K2.Api.Endpoints;

public static class TradesEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;

    public static IEndpointRouteBuilder MapTradesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/trades")
            .WithTags("Trades")
            .MapGet("", GetTradesAsync)
            .WithName("GetTrades")
            .WithSummary("The newest trades of one instrument, newest first.")
            .WithDescription($"Query: exchange (binance|kraken|coinbase), symbol (canonical, e.g. BTC-USDT), limit (1-{MaxLimit}, default {DefaultLimit}).");
        return app;
    }

    private static async Task<Results<Ok<TradesResponse>, ValidationProblem>> GetTradesAsync(
        HttpRequest request, InstrumentRegistry registry, TradeQueries trades, CancellationToken cancellationToken)
    {
        var query = new QueryValidation(request.Query);
        query.AllowOnly("exchange", "symbol", "limit");
        var exchange = query.RequiredExchange("exchange");
        var instrument = query.RequiredInstrument("symbol", exchange, registry);
        var limit = query.OptionalInt("limit", DefaultLimit, 1, MaxLimit);
        if (!query.IsValid || instrument is null)
        {
            return TypedResults.ValidationProblem(query.Errors, title: "The request's query parameters are not valid.");
        }

        var rows = await trades.GetLatestAsync(instrument.Exchange, instrument.Symbol, limit, cancellationToken);
        return TypedResults.Ok(new TradesResponse([.. rows.Select(ToResponse)]));
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

using K2.Api.Contracts;
using K2.Api.Parameters;
using K2.Core;
using K2.Core.Instruments;
using Microsoft.AspNetCore.Http.HttpResults;

namespace K2.Api.Endpoints;

public static class InstrumentsEndpoints
{
    public static IEndpointRouteBuilder MapInstrumentsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/instruments")
            .WithTags("Instruments")
            .MapGet("", GetInstruments)
            .WithQueryRules<InstrumentsQuery>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithName("GetInstruments")
            .WithSummary("The instrument registry: every pair K2 records, optionally for one exchange.");
        return app;
    }

    private static Ok<InstrumentsResponse> GetInstruments([AsParameters] InstrumentsQuery query, InstrumentRegistry registry)
    {
        var instruments = query.Exchange is { } name && ExchangeNames.TryParse(name, out var exchange) ? registry.ForExchange(exchange) : registry.All;
        return TypedResults.Ok(new InstrumentsResponse([.. instruments.Select(i => new InstrumentResponse(
            i.Exchange.ToName(), i.Symbol, i.ExchangeSymbol, i.BaseAsset, i.QuoteAsset, i.PriceScale, i.QuantityScale))]));
    }
}

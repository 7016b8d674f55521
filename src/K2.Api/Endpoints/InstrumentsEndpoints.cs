using K2.Api.Contracts;
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
            .WithName("GetInstruments")
            .WithSummary("The instrument registry: every pair K2 records, optionally for one exchange.");
        return app;
    }

    private static Results<Ok<InstrumentsResponse>, ValidationProblem> GetInstruments(HttpRequest request, InstrumentRegistry registry)
    {
        var query = new QueryValidation(request.Query);
        query.AllowOnly("exchange");
        var exchange = query.OptionalExchange("exchange");
        if (!query.IsValid)
        {
            return TypedResults.ValidationProblem(query.Errors, title: "The request's query parameters are not valid.");
        }

        var instruments = exchange is { } e ? registry.ForExchange(e) : registry.All;
        return TypedResults.Ok(new InstrumentsResponse([.. instruments.Select(i => new InstrumentResponse(
            i.Exchange.ToName(), i.Symbol, i.ExchangeSymbol, i.BaseAsset, i.QuoteAsset, i.PriceScale, i.QuantityScale))]));
    }
}

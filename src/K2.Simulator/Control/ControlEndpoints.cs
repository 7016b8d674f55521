using System.Globalization;
using K2.Core;
using K2.Core.Trades;
using K2.Simulator.Hosting;
using K2.Simulator.Market;
using Microsoft.AspNetCore.Http.HttpResults;

namespace K2.Simulator.Control;

/// <summary>
/// The simulator's own HTTP API under <c>/control</c>: ground truth, sessions, pause/resume and fault injection.
/// JSON is snake_case; prices and quantities are decimal strings and times µs integers, so nothing is rounded.
/// </summary>
internal static class ControlEndpoints
{
    public static IEndpointRouteBuilder MapControlEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var control = endpoints.MapGroup("/control");
        control.MapGet("/ground-truth", GetGroundTruth).WithName("GroundTruth");
        control.MapGet("/sessions", GetSessions).WithName("Sessions");
        control.MapPost("/pause", Pause).WithName("Pause");
        control.MapPost("/resume", Resume).WithName("Resume");
        control.MapPost("/{exchange}/drop", DropConnections).WithName("DropConnections");
        return endpoints;
    }

    /// <summary>Every printed trade, or one exchange's, or one symbol's; in print order.</summary>
    private static Results<Ok<GroundTruthTrade[]>, ProblemHttpResult> GetGroundTruth(string? exchange, string? symbol, GroundTruth groundTruth)
    {
        if (exchange is null)
        {
            return symbol is null
                ? TypedResults.Ok(ToResponse(groundTruth.All))
                : TypedResults.Problem("Give 'exchange' with 'symbol'.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (!ExchangeNames.TryParse(exchange, out var parsed))
        {
            return UnknownExchange(exchange);
        }

        var trades = symbol is null
            ? groundTruth.All.Where(t => t.Exchange == parsed).ToList()
            : groundTruth.For(parsed, symbol);
        return TypedResults.Ok(ToResponse(trades));
    }

    private static Ok<SessionInfo[]> GetSessions(VenueCatalog venues) =>
        TypedResults.Ok(venues.DescribeSessions()
            .Select(s => new SessionInfo(s.Exchange.ToName(), s.Id, s.Streams, UnixMicros.FromDateTimeOffset(s.ConnectedAt).Value))
            .ToArray());

    private static NoContent Pause(MarketGenerator market)
    {
        market.Pause();
        return TypedResults.NoContent();
    }

    private static NoContent Resume(MarketGenerator market)
    {
        market.Resume();
        return TypedResults.NoContent();
    }

    /// <summary>Cuts every connection of one exchange abruptly.</summary>
    private static Results<Ok<DropResult>, ProblemHttpResult> DropConnections(string exchange, FaultInjector faults)
    {
        if (!ExchangeNames.TryParse(exchange, out var parsed))
        {
            return UnknownExchange(exchange);
        }

        return faults.DropConnections(parsed) is { } dropped
            ? TypedResults.Ok(new DropResult(parsed.ToName(), dropped))
            : TypedResults.Problem($"The simulator does not serve {parsed.ToName()}.", statusCode: StatusCodes.Status404NotFound);
    }

    private static ProblemHttpResult UnknownExchange(string exchange) =>
        TypedResults.Problem(
            $"Unknown exchange '{exchange}'; expected one of {string.Join(", ", ExchangeNames.All.Select(e => e.ToName()))}.",
            statusCode: StatusCodes.Status400BadRequest);

    private static GroundTruthTrade[] ToResponse(IReadOnlyList<PrintedTrade> trades) =>
    [
        .. trades.Select(t => new GroundTruthTrade(
            t.Exchange.ToName(),
            t.ExchangeSymbol,
            t.TradeId,
            t.Price.ToString(CultureInfo.InvariantCulture),
            t.Quantity.ToString(CultureInfo.InvariantCulture),
            t.TakerSide.ToName(),
            t.TradeTime.Value)),
    ];
}

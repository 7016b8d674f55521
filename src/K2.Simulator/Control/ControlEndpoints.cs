using System.Globalization;
using K2.Core;
using K2.Core.Trades;
using K2.Simulator.Hosting;
using K2.Simulator.Market;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

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
        control.MapPost("/{exchange}/faults/{fault}", InjectFault).WithName("InjectFault");
        control.MapGet("/{exchange}/faults", GetFaultCounts).WithName("FaultCounts");
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
    private static Results<Ok<DropResult>, ProblemHttpResult> DropConnections(string exchange, SimulatorFaults faults) =>
        WithExchange(exchange, parsed => TypedResults.Ok(new DropResult(parsed.ToName(), faults.DropConnections(parsed))));

    /// <summary>
    /// Arms one fault: <c>skip-trades</c>, <c>stall</c> (query <c>ms</c>), <c>duplicate</c>, <c>reorder</c>,
    /// <c>malformed</c> (query <c>count</c>), <c>server-shutdown</c>, <c>rest-429</c>, <c>rest-418</c>,
    /// <c>rest-throttle</c> (query <c>count</c>, <c>retry_after_ms</c>).
    /// </summary>
    private static Results<NoContent, ProblemHttpResult> InjectFault(
        string exchange, string fault, int? count, int? ms, [FromQuery(Name = "retry_after_ms")] int? retryAfterMs, SimulatorFaults faults) =>
        WithExchange<NoContent>(exchange, parsed =>
        {
            var times = count ?? 1;
            var duration = TimeSpan.FromMilliseconds(ms ?? 1_000);
            var retryAfter = TimeSpan.FromMilliseconds(retryAfterMs ?? 1_000);
            switch (fault)
            {
                case "skip-trades": faults.SkipWebSocketTrades(parsed, duration); break;
                case "stall": faults.Stall(parsed, duration); break;
                case "duplicate": faults.DuplicateFrames(parsed, times); break;
                case "reorder": faults.ReorderFrames(parsed, times); break;
                case "malformed": faults.SendMalformedFrames(parsed, times); break;
                case "server-shutdown": faults.ServerShutdown(parsed); break;
                case "rest-429": faults.FailRestRequests(parsed, times, RestFault.TooManyRequests, retryAfter); break;
                case "rest-418": faults.FailRestRequests(parsed, times, RestFault.Banned, retryAfter); break;
                case "rest-throttle": faults.FailRestRequests(parsed, times, RestFault.Throttled, retryAfter); break;
                default: throw new NotSupportedException($"Unknown fault '{fault}'.");
            }

            return TypedResults.NoContent();
        });

    private static Results<Ok<Dictionary<string, int>>, ProblemHttpResult> GetFaultCounts(string exchange, SimulatorFaults faults) =>
        WithExchange(exchange, parsed => TypedResults.Ok(faults.Counts(parsed).ToDictionary(c => c.Key.ToString(), c => c.Value)));

    /// <summary>Runs <paramref name="action"/> for a known, served exchange; anything else is a problem response.</summary>
    private static Results<TResult, ProblemHttpResult> WithExchange<TResult>(string exchange, Func<Exchange, TResult> action)
        where TResult : IResult
    {
        if (!ExchangeNames.TryParse(exchange, out var parsed))
        {
            return UnknownExchange(exchange);
        }

        try
        {
            return action(parsed);
        }
        catch (NotSupportedException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound);
        }
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

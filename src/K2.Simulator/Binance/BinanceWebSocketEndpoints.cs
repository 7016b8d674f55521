using K2.Core.Exchanges.Binance;
using K2.Simulator.Faults;
using K2.Simulator.WebSockets;

namespace K2.Simulator.Binance;

/// <summary>
/// Binance's stream server under <c>/binance</c>: raw streams at <c>/ws</c> and <c>/ws/&lt;stream&gt;</c>,
/// combined streams at <c>/stream?streams=a/b</c>, each with an optional <c>timeUnit</c>.
/// </summary>
internal static class BinanceWebSocketEndpoints
{
    public const string PathPrefix = "/binance";

    private const string StreamsParameter = "streams";
    private const string TimeUnitParameter = "timeUnit";
    private const char StreamSeparator = '/';

    public static IEndpointRouteBuilder MapBinanceWebSocket(this IEndpointRouteBuilder endpoints)
    {
        var binance = endpoints.MapGroup(PathPrefix);
        binance.MapGet(BinanceEndpoints.RawStreamPath + "/{stream?}", ConnectRawAsync).WithName("BinanceRawStream");
        binance.MapGet(BinanceEndpoints.CombinedStreamPath, ConnectCombinedAsync).WithName("BinanceCombinedStream");
        return endpoints;
    }

    private static Task ConnectRawAsync(
        HttpContext context, string? stream, BinanceVenue venue, SimulatorOptions options, FaultPlan faults, TimeProvider time,
        IHostApplicationLifetime lifetime, ILogger<BinanceStreamConnection> logger) =>
        ConnectAsync(context, stream is null ? [] : [stream], combined: false, venue, options, faults, time, lifetime, logger);

    private static Task ConnectCombinedAsync(
        HttpContext context, BinanceVenue venue, SimulatorOptions options, FaultPlan faults, TimeProvider time,
        IHostApplicationLifetime lifetime, ILogger<BinanceStreamConnection> logger)
    {
        var streams = context.Request.Query[StreamsParameter].ToString()
            .Split(StreamSeparator, StringSplitOptions.RemoveEmptyEntries);
        return ConnectAsync(context, streams, combined: true, venue, options, faults, time, lifetime, logger);
    }

    private static async Task ConnectAsync(
        HttpContext context, IReadOnlyList<string> streams, bool combined, BinanceVenue venue, SimulatorOptions options,
        FaultPlan faults, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<BinanceStreamConnection> logger)
    {
        if (Refuse(context, streams, venue, out var timeUnit) is { } refusal)
        {
            await refusal.ExecuteAsync(context);
            return;
        }

        // .NET 9+ sends a PING every KeepAliveInterval and aborts the connection when no PONG arrives within
        // KeepAliveTimeout: Binance's 20 s / 1 min rule.
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.BinancePingInterval,
            KeepAliveTimeout = options.BinancePongTimeout,
        });
        var session = new BinanceStreamConnection(
            venue.NextSessionId(), socket, venue, streams, combined, timeUnit, options, faults, time, logger);
        if (context.Features.Get<ControlFrameObservingUpgradeFeature>() is { } observer)
        {
            observer.ControlFrameReceived = session.OnControlFrame;
        }

        venue.Add(session);
        try
        {
            using var stopping = lifetime.ApplicationStopping.Register(session.Stop);
            await session.RunAsync();
        }
        finally
        {
            venue.Remove(session);
        }
    }

    /// <summary>A handshake the server answers with 400 instead of 101.</summary>
    private static IResult? Refuse(HttpContext context, IReadOnlyList<string> streams, BinanceVenue venue, out BinanceTimeUnit timeUnit)
    {
        if (!BinanceTimeUnitNames.TryParse(context.Request.Query[TimeUnitParameter], out timeUnit))
        {
            return BinanceJsonResult.BadRequest(BinanceErrors.InvalidTimeUnitCode, BinanceErrors.InvalidTimeUnit);
        }

        if (!streams.All(venue.IsTradeStream))
        {
            return BinanceJsonResult.BadRequest(BinanceErrors.InvalidRequestCode, BinanceErrors.InvalidStream);
        }

        if (streams.Distinct(StringComparer.Ordinal).Count() > BinanceEndpoints.MaxStreamsPerConnection)
        {
            return BinanceJsonResult.BadRequest(BinanceErrors.TooManySubscriptionsCode, BinanceErrors.TooManySubscriptions);
        }

        return context.WebSockets.IsWebSocketRequest ? null : TypedResults.BadRequest("Expected a WebSocket upgrade request.");
    }
}

namespace K2.Simulator.Coinbase;

/// <summary>
/// Coinbase's Advanced Trade market-data server at <c>/coinbase</c> (the real one is the root of
/// <c>wss://advanced-trade-ws.coinbase.com</c>): connect, then subscribe within the timeout.
/// </summary>
internal static class CoinbaseWebSocketEndpoints
{
    public const string PathPrefix = "/coinbase";

    public static IEndpointRouteBuilder MapCoinbaseWebSocket(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(PathPrefix, ConnectAsync).WithName("CoinbaseMarketData");
        return endpoints;
    }

    private static async Task ConnectAsync(
        HttpContext context, CoinbaseVenue venue, SimulatorOptions options, TimeProvider time, IHostApplicationLifetime lifetime,
        ILogger<CoinbaseStreamConnection> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await TypedResults.BadRequest("Expected a WebSocket upgrade request.").ExecuteAsync(context);
            return;
        }

        // The subscribe deadline runs from the handshake, before the session exists.
        var handshake = time.GetTimestamp();
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var session = new CoinbaseStreamConnection(venue.NextSessionId(), socket, venue, options, time, logger, handshake);
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
}

namespace K2.Simulator.Kraken;

/// <summary>Kraken's public WebSocket v2 at <c>/kraken/v2</c>.</summary>
internal static class KrakenWebSocketEndpoints
{
    public static IEndpointRouteBuilder MapKrakenWebSocket(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup(KrakenPaths.Prefix).MapGet(KrakenPaths.WebSocket, ConnectAsync).WithName("KrakenWebSocketV2");
        return endpoints;
    }

    private static async Task ConnectAsync(
        HttpContext context, KrakenVenue venue, IHostApplicationLifetime lifetime, ILogger<KrakenStreamConnection> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await TypedResults.BadRequest("Expected a WebSocket upgrade request.").ExecuteAsync(context);
            return;
        }

        // Kraken keeps connections alive with its own heartbeats and pings, not WebSocket PING frames.
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero });
        var connection = new KrakenStreamConnection(venue.NextConnectionId(), socket, venue, logger);
        venue.Add(connection);
        try
        {
            using var stopping = lifetime.ApplicationStopping.Register(connection.Stop);
            await connection.RunAsync();
        }
        finally
        {
            venue.Remove(connection);
        }
    }
}

using K2.Core;
using K2.Simulator.Hosting;

namespace K2.Simulator.Control;

/// <summary>
/// The faults a test can inject into the simulated exchanges. Each fault is one method, named for what a client
/// would see.
/// </summary>
internal sealed partial class FaultInjector(VenueCatalog venues, ILogger<FaultInjector> logger)
{
    /// <summary>
    /// Cuts every connection of <paramref name="exchange"/> at once, with no close frame (the client sees a reset),
    /// as a network failure or an exchange restart would. Null when the simulator does not serve the exchange.
    /// </summary>
    public int? DropConnections(Exchange exchange)
    {
        if (!venues.TryGet(exchange, out var venue))
        {
            return null;
        }

        var connections = venue.Connections;
        foreach (var connection in connections)
        {
            connection.Abort();
        }

        LogDropped(logger, exchange, connections.Count);
        return connections.Count;
    }

    [LoggerMessage(EventId = SimulatorEventIds.FaultInjected, Level = LogLevel.Warning,
        Message = "Fault: dropped {Count} {Exchange} connection(s)")]
    private static partial void LogDropped(ILogger logger, Exchange exchange, int count);
}

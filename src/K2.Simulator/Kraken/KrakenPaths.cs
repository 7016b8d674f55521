using K2.Core.Exchanges.Kraken;

namespace K2.Simulator.Kraken;

/// <summary>
/// Where the simulated Kraken lives on the simulator's port: everything under <c>/kraken</c>, so the WebSocket is
/// <c>/kraken/v2</c> (Kraken's <c>wss://ws.kraken.com/v2</c>) and REST <c>/kraken/0/public/Trades</c>
/// (<c>https://api.kraken.com/0/public/Trades</c>).
/// </summary>
internal static class KrakenPaths
{
    public const string Prefix = "/kraken";

    public const string WebSocket = "/v2";

    public const string Trades = KrakenEndpoints.TradesPath;
}

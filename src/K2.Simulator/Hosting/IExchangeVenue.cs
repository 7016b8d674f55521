using K2.Core;

namespace K2.Simulator.Hosting;

/// <summary>
/// One simulated exchange: it receives every trade the market prints for its instruments and owns its connections.
/// Kraken and Coinbase slot in as further venues beside Binance.
/// </summary>
internal interface IExchangeVenue
{
    Exchange Exchange { get; }

    /// <summary>Hands a freshly printed trade to every subscribed session. Must not block.</summary>
    void Publish(PrintedTrade trade);

    IReadOnlyList<ISimulatedConnection> Connections { get; }
}

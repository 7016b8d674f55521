using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;

namespace K2.Grains.Exchanges;

/// <summary>
/// Hands the trades of one frame to their instrument; awaiting it is the back-pressure path, and the session's stop
/// token cancels the wait.
/// </summary>
internal delegate Task TradeRoute(Instrument instrument, IReadOnlyList<Trade> trades, CancellationToken cancellationToken);

/// <summary>A live connection to one exchange: connects, subscribes, parses and routes until cancelled, reconnecting on its own.</summary>
internal interface IExchangeSession
{
    Exchange Exchange { get; }

    Task RunAsync(CancellationToken cancellationToken);

    ExchangeSessionStatus GetStatus();
}

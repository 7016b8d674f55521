using K2.Core.Trades;
using K2.Grains.Runtime;

namespace K2.Grains.Abstractions;

/// <summary>
/// One instrument on one exchange, keyed <c>exchange/SYMBOL</c> (e.g. <c>binance/BTC-USDT</c>): drops duplicates and
/// hands new trades to the hot store.
/// </summary>
public interface IInstrumentGrain : IGrainWithStringKey
{
    /// <summary>
    /// New trades of this instrument, in the order the exchange sent them. One-way: the caller waits only for mailbox
    /// space, which is how a slow store pushes back on the socket; <paramref name="cancellationToken"/> (the session's
    /// stop) ends that wait, and ends the grain's wait for store space, so a stop never hangs on a backed-up store.
    /// </summary>
    [OneWay]
    Task OnTradesAsync(IReadOnlyList<Trade> trades, CancellationToken cancellationToken);
}

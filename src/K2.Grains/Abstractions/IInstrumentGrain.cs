using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Runtime;

namespace K2.Grains.Abstractions;

/// <summary>
/// One instrument on one exchange, keyed <c>exchange/SYMBOL</c> (e.g. <c>binance/BTC-USDT</c>): passes each trade to the
/// hot store exactly once, notices gaps and has them fetched over REST.
/// </summary>
public interface IInstrumentGrain : IGrainWithStringKey
{
    /// <summary>
    /// Trades of this instrument, live or backfilled, in the order they came. One-way: the caller waits only for mailbox
    /// space, which is how a slow store pushes back on the socket; <paramref name="cancellationToken"/> (the caller's
    /// stop) ends that wait, and the grain's wait for store space, so a stop never hangs on a backed-up store.
    /// </summary>
    [OneWay]
    Task OnTradesAsync(IReadOnlyList<Trade> trades, CancellationToken cancellationToken);

    /// <summary>Trades may have been lost without a visible gap (a new connection, a sequence gap): catch up over REST.</summary>
    [OneWay]
    Task OnPossibleLossAsync(string reason, CancellationToken cancellationToken);

    /// <summary>A backfill this instrument asked for has finished; the grain checks what is still missing.</summary>
    [OneWay]
    Task OnBackfillDoneAsync(BackfillRequest request, bool succeeded, CancellationToken cancellationToken);

    /// <summary>
    /// What of a gap request is still missing: the request narrowed to its first and last missing ids, or null when the
    /// gap has filled meanwhile. The backfill worker asks before fetching, so a gap a late frame filled costs no REST call.
    /// </summary>
    Task<BackfillRequest?> GetStillMissingAsync(BackfillRequest request);

    /// <summary>The newest trade passed on and the gaps still open (answered after every message queued before it).</summary>
    Task<InstrumentStatus> GetStatusAsync();
}

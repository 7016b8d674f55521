using K2.Core.Trades;
using K2.Grains.Backfill;

namespace K2.Grains.Abstractions;

/// <summary>
/// One instrument on one exchange, keyed <c>exchange/SYMBOL</c> (e.g. <c>binance/BTC-USDT</c>): passes each trade to the
/// hot store exactly once, notices gaps and has them fetched over REST.
/// </summary>
[Orleans.Metadata.DefaultGrainType("instrument")]
public interface IInstrumentGrain : IGrainWithStringKey
{
    /// <summary>
    /// Trades of this instrument, live or backfilled, in the order they came. Awaited: the caller waits until the grain
    /// has handed them to the writers, which is how a slow store pushes back on the socket (Orleans has no bounded
    /// mailbox to wait on). The list is not copied: the caller never changes it after the call.
    /// <paramref name="cancellationToken"/> (the caller's stop) ends the grain's wait for store space.
    /// </summary>
    Task OnTradesAsync([Immutable] IReadOnlyList<Trade> trades, CancellationToken cancellationToken);

    /// <summary>Trades may have been lost without a visible gap (a new connection, a sequence gap): catch up over REST.</summary>
    Task OnPossibleLossAsync(string reason, CancellationToken cancellationToken);

    /// <summary>A backfill this instrument asked for has finished; the grain checks what is still missing.</summary>
    Task OnBackfillDoneAsync(BackfillRequest request, bool succeeded, CancellationToken cancellationToken);

    /// <summary>
    /// What of a gap request is still missing: the request narrowed to its first and last missing ids, or null when the
    /// gap has filled meanwhile. The backfill worker asks before fetching, so a gap a late frame filled costs no REST call.
    /// </summary>
    Task<BackfillRequest?> GetStillMissingAsync(BackfillRequest request);

    /// <summary>The newest trade passed on and the gaps still open (answered after every message queued before it).</summary>
    Task<InstrumentStatus> GetStatusAsync();
}

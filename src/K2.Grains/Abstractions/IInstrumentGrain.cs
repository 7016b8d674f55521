using K2.Core;
using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Instruments;
using Orleans.Concurrency;

namespace K2.Grains.Abstractions;

/// <summary>
/// One instrument on one exchange, keyed <c>exchange/SYMBOL</c> (e.g. <c>binance/BTC-USDT</c>): passes each trade to the
/// hot store exactly once, notices gaps and has them fetched over REST.
/// </summary>
[Orleans.Metadata.DefaultGrainType("instrument")]
public interface IInstrumentGrain : IGrainWithStringKey
{
    /// <summary>
    /// Trades of this instrument, live or backfilled, in the order they came. Returns how many of them, from the first,
    /// the grain has taken: all, unless the hot store stayed full for <c>K2:Ingest:StoreWaitLimit</c>. The caller then
    /// offers the rest again (see <see cref="TradeHandover"/>), and reads nothing new meanwhile: that is how a slow
    /// store pushes back on the socket, with no call outliving Orleans' response timeout. The list is not copied: the
    /// caller never changes it after the call. <paramref name="cancellationToken"/> (the caller's stop) ends the wait.
    /// </summary>
    Task<int> OnTradesAsync([Immutable] IReadOnlyList<Trade> trades, CancellationToken cancellationToken);

    /// <summary>
    /// Trades may have been lost without a visible gap (a new connection, a sequence gap): catch up over REST. Taken at
    /// once, even while the grain waits on the store inside another call, so a reconcile over many busy instruments
    /// costs no waits (it only queues a request, from state that is consistent at every await).
    /// </summary>
    [AlwaysInterleave]
    Task OnPossibleLossAsync(string reason, CancellationToken cancellationToken);

    /// <summary>A backfill this instrument asked for has finished; the grain checks what is still missing.</summary>
    Task OnBackfillDoneAsync(BackfillRequest request, bool succeeded, CancellationToken cancellationToken);

    /// <summary>
    /// Another writer of the silo stored trades of this instrument in [<paramref name="from"/>, <paramref name="to"/>)
    /// that did not come through the grain (an operator's requested backfill) and has them landed: the candle buckets
    /// the grain holds in memory within that span are recomputed from the store and written again, so the grain goes on
    /// from aggregates that include them.
    /// </summary>
    Task OnTradesStoredElsewhereAsync(UnixMicros from, UnixMicros to, CancellationToken cancellationToken);

    /// <summary>
    /// What of a gap request is still missing: the request narrowed to its first and last missing ids, or null when the
    /// gap has filled meanwhile. The backfill worker asks before fetching, so a gap a late frame filled costs no REST call.
    /// </summary>
    Task<BackfillRequest?> GetStillMissingAsync(BackfillRequest request);

    /// <summary>
    /// The newest trade passed on and the gaps still open. Answered at once, even while the grain waits on the store
    /// inside another call (it only reads state, which is consistent at every await).
    /// </summary>
    [AlwaysInterleave]
    Task<InstrumentStatus> GetStatusAsync();
}

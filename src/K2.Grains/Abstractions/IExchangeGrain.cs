using K2.Core.Instruments;
using K2.Grains.Backfill;
using Orleans.Concurrency;

namespace K2.Grains.Abstractions;

/// <summary>
/// One exchange shard, keyed <c>exchange/index</c> (e.g. <c>binance/0</c>): owns the session of the shard's
/// instruments, and a share in its exchange's REST backfill worker on the silo it runs on.
/// </summary>
public interface IExchangeGrain : IGrainWithStringKey
{
    /// <summary>
    /// The keeper's ping: starts the shard's session if it is not running (a call to a shard no silo holds activates
    /// it first), and says whether it did, and whether the shard had just been handed over to this silo.
    /// </summary>
    Task<ShardStart> EnsureRunningAsync();

    /// <summary>Stops the session and waits for it to close, or until <paramref name="cancellationToken"/> gives up.</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The shard belongs on <paramref name="assignedSilo"/> now (a silo joined or left): stops the session, then
    /// migrates the activation to where placement assigns it, where the next keeper ping starts the session. The new
    /// session catches up by REST from each instrument's last stored trade.
    /// </summary>
    Task HandOverAsync(string assignedSilo, CancellationToken cancellationToken);

    /// <summary>
    /// The session's counters and the shard's state; never starts the session. Answered at once, even during a stop or
    /// a reconcile tick that waits on busy instruments (it only reads).
    /// </summary>
    [AlwaysInterleave]
    Task<ExchangeSessionStatus> GetStatusAsync();

    // The three backfill calls below come from instrument grains, wherever they run: an instrument grain asks the
    // exchange grain of its shard, which queues in the backfill queue of its own silo, the one its share in the
    // exchange's worker serves. They interleave with everything, so no call cycle can deadlock: this grain awaits
    // instrument grains (the reconcile timer's OnPossibleLossAsync, a stop waiting for a session blocked in
    // OnTradesAsync) while those instruments may be awaiting one of these calls. Each only touches the silo's queue,
    // which is thread-safe, never awaits, and reads or changes no state of the grain, so interleaving is harmless.

    /// <summary>
    /// Queues <paramref name="request"/> (one of this shard's instruments) in this silo's backfill queue of the
    /// exchange, due after <paramref name="delay"/>; the receipt names the queue, or says it was full.
    /// </summary>
    [AlwaysInterleave]
    Task<BackfillReceipt> QueueBackfillAsync(BackfillRequest request, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>
    /// The id of the backfill queue this grain queues in now: an instrument whose requests went to a queue with
    /// another id asks again (the silo holding that queue may have died, or this grain moved).
    /// </summary>
    [AlwaysInterleave]
    Task<Guid> GetBackfillQueueIdAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Where the repair of <paramref name="instrument"/>'s missing ids [<paramref name="fromId"/>, <paramref name="toId"/>]
    /// stands in this grain's queue (see <see cref="BackfillQueue.DescribeRepair"/>); null when no request there covers them.
    /// </summary>
    [AlwaysInterleave]
    Task<string?> DescribeRepairAsync(Instrument instrument, long fromId, long toId, CancellationToken cancellationToken);
}

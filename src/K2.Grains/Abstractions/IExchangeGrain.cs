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
    /// it first). True when this call started it.
    /// </summary>
    Task<bool> EnsureRunningAsync();

    /// <summary>Stops the session and waits for it to close, or until <paramref name="cancellationToken"/> gives up.</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The session's counters and the shard's state; never starts the session. Answered at once, even during a stop or
    /// a reconcile tick that waits on busy instruments (it only reads).
    /// </summary>
    [AlwaysInterleave]
    Task<ExchangeSessionStatus> GetStatusAsync();
}

using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Abstractions;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Instruments;

/// <summary>
/// An instrument's line to the backfill queue of its shard: hands what <see cref="InstrumentRepairs"/> decides to the
/// exchange grain of the shard (<paramref name="exchange"/>, null when no enabled shard has the instrument), which may
/// live on another silo. Every call is bounded by <paramref name="callLimit"/> (real time) and never throws: a failed or
/// hung call (the exchange grain's silo died or hangs) leaves the request pending, and <see cref="CheckQueueAsync"/>
/// asks again for everything pending on the next watch tick, as it does when the exchange grain answers from another
/// queue than the one that took the requests.
/// </summary>
internal sealed partial class ShardBackfills(Instrument instrument, IExchangeGrain? exchange, InstrumentRepairs repairs, TimeSpan callLimit, ILogger logger)
{
    /// <summary>Has the exchange grain queue <paramref name="backfill"/>; a full queue is logged and the request dropped (see <see cref="InstrumentRepairs.Sent"/>).</summary>
    public async Task QueueAsync(QueuedBackfill backfill)
    {
        if (exchange is null)
        {
            return;
        }

        var receipt = await CallAsync(ct => exchange.QueueBackfillAsync(backfill.Request, backfill.Delay, ct));
        if (receipt is not null && !repairs.Sent(backfill.Request, receipt))
        {
            LogQueueFull(logger, backfill.Request.ToString());
        }
    }

    /// <summary>
    /// While anything is pending, asks the exchange grain which queue it uses now, and asks again for everything pending
    /// if that queue may not hold it. A failed call changes nothing: the next tick asks again.
    /// </summary>
    public async Task CheckQueueAsync()
    {
        if (!repairs.Waiting)
        {
            repairs.Forget();
            return;
        }

        if (exchange is null || await CallAsync<Guid?>(async ct => await exchange.GetBackfillQueueIdAsync(ct)) is not { } queueId)
        {
            return;
        }

        var again = repairs.QueueSeen(queueId);
        if (again.Count > 0)
        {
            LogAskingAgain(logger, instrument.Key, again.Count, queueId);
        }

        foreach (var backfill in again)
        {
            await QueueAsync(backfill);
        }
    }

    /// <summary>
    /// Reports a gap open too long with where its repair stands in the shard's queue; if no request there covers it,
    /// says so and asks again rather than let it wait for the next reconcile.
    /// </summary>
    public async Task ReportOverdueAsync(OverdueGap overdue)
    {
        ArgumentNullException.ThrowIfNull(overdue);
        var gap = overdue.Gap;
        var state = exchange is null
            ? "no exchange shard serves this instrument"
            : await CallAsync(ct => exchange.DescribeRepairAsync(instrument, gap.FromId, gap.ToId, ct), "the exchange grain did not answer; asked again");
        // Logged before the request goes out: whoever waits for the request then finds the report.
        LogOverdue(logger, instrument.Key, gap.FromId, gap.ToId, gap.Count, overdue.Age, state ?? "no request covered it; queued again");
        if (state is null)
        {
            await QueueAsync(repairs.Overdue(gap));
        }
    }

    /// <summary>Calls the exchange grain within the call limit; on failure logs it, has everything pending asked again, and returns <paramref name="failed"/>.</summary>
    private async Task<T?> CallAsync<T>(Func<CancellationToken, Task<T>> call, T? failed = default)
    {
        using var limit = new CancellationTokenSource(callLimit);
        try
        {
            return await call(limit.Token);
        }
        catch (Exception e)
        {
            repairs.SendFailed();
            LogUnreachable(logger, instrument.Key, e.GetBaseException().Message);
            return failed;
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.GapOverdue, Level = LogLevel.Warning,
        Message = "{Instrument} gap {FromId}..{ToId} ({Count} ids) still open after {Age}: {State}")]
    private static partial void LogOverdue(ILogger logger, string instrument, long fromId, long toId, long count, TimeSpan age, string state);

    [LoggerMessage(EventId = GrainsEventIds.ExchangeGrainUnreachable, Level = LogLevel.Warning,
        Message = "{Instrument} could not reach its exchange grain ({Reason}); its backfills are asked for again on the next watch")]
    private static partial void LogUnreachable(ILogger logger, string instrument, string reason);

    [LoggerMessage(EventId = GrainsEventIds.BackfillsAskedAgain, Level = LogLevel.Warning,
        Message = "{Instrument} asks again for {Count} backfill(s): its exchange grain now queues in backfill queue {QueueId}, which may not hold them")]
    private static partial void LogAskingAgain(ILogger logger, string instrument, int count, Guid queueId);

    [LoggerMessage(EventId = GrainsEventIds.BackfillQueueFull, Level = LogLevel.Error, Message = "Backfill queue full; dropped {Request}")]
    private static partial void LogQueueFull(ILogger logger, string request);
}

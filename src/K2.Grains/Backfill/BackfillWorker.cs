using System.Text;
using K2.Core;
using K2.Core.Trades;
using K2.Grains.Exchanges;
using K2.Grains.Ingest;
using K2.Storage.Bronze;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Backfill;

/// <summary>Tells an instrument that a backfill it asked for has finished, and whether the exchange answered.</summary>
internal delegate Task BackfillDone(BackfillRequest request, bool succeeded, CancellationToken cancellationToken);

/// <summary>Asks an instrument what of a request is still missing; null when nothing is.</summary>
internal delegate Task<BackfillRequest?> BackfillRefine(BackfillRequest request, CancellationToken cancellationToken);

/// <summary>Stores trades a <see cref="BackfillReason.Requested"/> backfill fetched (<see cref="RequestedBackfillStore"/>).</summary>
internal delegate Task RequestedTradesSink(BackfillRequest request, IReadOnlyList<Trade> trades, CancellationToken cancellationToken);

/// <summary>
/// A <see cref="BackfillReason.Requested"/> backfill's fetch has ended: every page it got was handed to the
/// <see cref="RequestedTradesSink"/> (<see cref="RequestedBackfillStore.CompleteAsync"/>).
/// </summary>
internal delegate Task RequestedRangeFetched(BackfillRequest request, CancellationToken cancellationToken);

/// <summary>
/// Works through one exchange's backfill queue, one request at a time (the REST limits are per IP, so parallel
/// requests would only queue at the gate): fetches the trades, keeps every page in bronze, hands the trades to the
/// instrument like live ones (its tracker fills the gap and drops what it already has), then reports completion so
/// the instrument can check what is still missing. The trades of an operator's requested range go to storage directly
/// instead (<see cref="RequestedTradesSink"/>, then <see cref="RequestedRangeFetched"/> for their candles): the tracker
/// only knows ids since its resume point.
/// </summary>
internal sealed partial class BackfillWorker(
    BackfillQueue queue,
    ITradeHistoryClient history,
    TradeRoute route,
    RequestedTradesSink storeRequested,
    RequestedRangeFetched requestedFetched,
    BackfillRefine refine,
    BackfillDone done,
    BronzeWriters bronze,
    IngestMetrics metrics,
    ILogger<BackfillWorker> logger)
{
    private readonly string _connectionId = $"{queue.Exchange.ToName()}/{ProcessInstance.Id}/rest";
    private long _pages;

    /// <summary>Works until stopped; an unexpected failure is logged and the next request is taken, never the end of the loop.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await WorkOneAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogWorkerFailed(logger, e, queue.Exchange.ToName());
            }
        }
    }

    private async Task WorkOneAsync(CancellationToken stop)
    {
        var queued = await queue.DequeueAsync(stop);
        try
        {
            await WorkOnAsync(queued, stop);
        }
        finally
        {
            queue.Progress.Finished();
        }
    }

    private async Task WorkOnAsync(BackfillRequest queued, CancellationToken stop)
    {
        // A gap often fills while it waits (a late frame, a snapshot): fetch only what is still missing, if anything.
        // If the instrument cannot say, the request is handed back as not answered, so it is tried again, not lost.
        BackfillRequest? request;
        try
        {
            request = await refine(queued, stop);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            LogFailed(logger, queued.ToString(), e.GetBaseException().Message);
            await done(queued, false, stop);
            return;
        }

        if (request is null)
        {
            LogSkipped(logger, queued.ToString());
            await done(queued, true, stop);
            return;
        }

        var fetched = 0;
        var succeeded = true;
        try
        {
            await history.FetchAsync(request, async (page, token) =>
            {
                fetched += page.Trades.Count;
                await KeepAsync(page, token);
                if (page.Trades.Count > 0)
                {
                    metrics.Backfilled(queue.Exchange, page.Trades.Count);
                    await (request.Reason == BackfillReason.Requested
                        ? storeRequested(request, page.Trades, token)
                        : route(request.Instrument, page.Trades, token));
                }
            }, stop);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            succeeded = false;
            LogFailed(logger, request.ToString(), e.GetBaseException().Message);
        }

        LogFetched(logger, request.ToString(), fetched, succeeded);
        if (request.Reason == BackfillReason.Requested)
        {
            try
            {
                await requestedFetched(request, stop);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                LogFailed(logger, request.ToString(), $"its candles were not recomputed: {e.GetBaseException().Message}");
            }
        }

        await done(request, succeeded, stop);
    }

    /// <summary>REST trades are received trades too: bronze keeps each, with the request that fetched it.</summary>
    private async Task KeepAsync(TradeHistoryPage page, CancellationToken cancellationToken)
    {
        var pageNumber = Interlocked.Increment(ref _pages);
        var requestLine = Encoding.UTF8.GetBytes(page.Request);
        var writer = bronze.For(queue.Exchange);
        var index = 0;
        foreach (var trade in page.Trades)
        {
            await writer.WriteAsync(BronzeTrade.Accepted(trade, BronzeSource.Rest, _connectionId, pageNumber, index++, requestLine), cancellationToken);
        }

        foreach (var rejection in page.Rejections)
        {
            await writer.WriteAsync(BronzeTrade.Rejected(rejection, page.ReceivedAt, BronzeSource.Rest, _connectionId, pageNumber, index++, requestLine), cancellationToken);
            metrics.Rejected(queue.Exchange, rejection.Reason);
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.BackfillFailed, Level = LogLevel.Warning, Message = "Backfill {Request} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string request, string reason);

    [LoggerMessage(EventId = GrainsEventIds.BackfillFetched, Level = LogLevel.Information, Message = "Backfill {Request}: {Trades} trades fetched (answered: {Succeeded})")]
    private static partial void LogFetched(ILogger logger, string request, int trades, bool succeeded);

    [LoggerMessage(EventId = GrainsEventIds.BackfillSkipped, Level = LogLevel.Debug, Message = "Backfill {Request} skipped: filled while it waited")]
    private static partial void LogSkipped(ILogger logger, string request);

    [LoggerMessage(EventId = GrainsEventIds.BackfillWorkerFailed, Level = LogLevel.Error, Message = "The {Exchange} backfill worker failed on a request; carrying on with the next")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception, string exchange);
}

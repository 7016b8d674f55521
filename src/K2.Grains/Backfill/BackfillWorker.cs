using System.Text;
using K2.Core;
using K2.Grains.Exchanges;
using K2.Grains.Ingest;
using K2.Storage.Bronze;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Backfill;

/// <summary>Tells an instrument that a backfill it asked for has finished, and whether the exchange answered.</summary>
internal delegate Task BackfillDone(BackfillRequest request, bool succeeded, CancellationToken cancellationToken);

/// <summary>
/// Works through one exchange's backfill queue, one request at a time (the REST limits are per IP, so parallel
/// requests would only queue at the gate): fetches the trades, keeps every page in bronze, hands the trades to the
/// instrument like live ones (its tracker fills the gap and drops what it already has), then reports completion so
/// the instrument can check what is still missing.
/// </summary>
internal sealed partial class BackfillWorker(
    BackfillQueue queue,
    ITradeHistoryClient history,
    TradeRoute route,
    BackfillDone done,
    BronzeWriters bronze,
    IngestMetrics metrics,
    ILogger<BackfillWorker> logger)
{
    private readonly string _connectionId = $"{queue.Exchange.ToName()}/rest";
    private long _pages;

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            BackfillRequest request;
            try
            {
                request = await queue.DequeueAsync(stop);
            }
            catch (OperationCanceledException)
            {
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
                        await route(request.Instrument, page.Trades, token);
                    }
                }, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                succeeded = false;
                LogFailed(logger, e, request.ToString());
            }

            LogFetched(logger, request.ToString(), fetched, succeeded);
            try
            {
                await done(request, succeeded, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
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

    [LoggerMessage(EventId = GrainsEventIds.BackfillFailed, Level = LogLevel.Warning, Message = "Backfill {Request} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string request);

    [LoggerMessage(EventId = GrainsEventIds.GapRepaired, Level = LogLevel.Information, Message = "Backfill {Request}: {Trades} trades fetched (succeeded: {Succeeded})")]
    private static partial void LogFetched(ILogger logger, string request, int trades, bool succeeded);
}

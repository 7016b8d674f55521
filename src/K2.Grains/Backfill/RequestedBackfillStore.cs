using K2.Core;
using K2.Core.Trades;
using K2.Storage.History;
using K2.Storage.Writers;
using Microsoft.Extensions.Logging;

namespace K2.Grains.Backfill;

/// <summary>
/// Stores the trades of a <see cref="BackfillReason.Requested"/> backfill: those of the requested range
/// [After, Before) that neither tier holds yet go to the silver writer, like any trade; those already stored are left
/// alone, so asking twice stores nothing twice. From the hot tier the offload copies them to cold by ingest time, and
/// the hot table keeps a row 30 days after its ingest as well as its exchange time (hot-store migration 6), so a trade
/// older than the hot tier's 30 days still reaches cold before the TTL can drop it. Candles of the range are not
/// recomputed: a bucket's candle needs all of its trades, which for old periods live in cold (a follow-up).
/// </summary>
internal sealed partial class RequestedBackfillStore(BatchedTableWriter<Trade> silverTrades, TradeHistory history, ILogger<RequestedBackfillStore> logger)
{
    /// <summary>Stored trade ids read per query while looking for what a page already has.</summary>
    private const int StoredIdsPerRead = 10_000;

    /// <summary>Hands the page's new trades of the range to the writer; returns how many.</summary>
    public async Task<int> StoreAsync(BackfillRequest request, IReadOnlyList<Trade> trades, CancellationToken cancellationToken)
    {
        var inRange = trades
            .Where(t => (request.After is not { } after || t.ExchangeTime >= after) && (request.Before is not { } before || t.ExchangeTime < before))
            .ToList();
        if (inRange.Count == 0)
        {
            return 0;
        }

        var stored = await StoredIdsAsync(
            request.Instrument.Exchange, request.Instrument.Symbol,
            inRange.Min(t => t.ExchangeTime), new UnixMicros(inRange.Max(t => t.ExchangeTime).Value + 1), cancellationToken);
        var written = 0;
        foreach (var trade in inRange)
        {
            // Also drops repeats within the page (a trade at the page boundary's microsecond).
            if (stored.Add(trade.TradeId.ToString()))
            {
                await silverTrades.WriteAsync(trade, cancellationToken);
                written++;
            }
        }

        LogStored(logger, request.Instrument.Key, written, inRange.Count - written);
        return written;
    }

    private async Task<HashSet<string>> StoredIdsAsync(Exchange exchange, string symbol, UnixMicros from, UnixMicros to, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        TradePosition? after = null;
        while (true)
        {
            var page = await history.ReadAsync(
                new TradeHistoryQuery(exchange, symbol, from, to, ReadDirection.OldestFirst, after, StoredIdsPerRead), cancellationToken);
            ids.UnionWith(page.Select(t => t.TradeId));
            if (page.Count < StoredIdsPerRead)
            {
                return ids;
            }

            after = new TradePosition(page[^1].ExchangeTime, page[^1].TradeId);
        }
    }

    [LoggerMessage(EventId = GrainsEventIds.RequestedBackfillStored, Level = LogLevel.Debug,
        Message = "Requested backfill of {Instrument}: {Written} trades stored, {Known} already stored")]
    private static partial void LogStored(ILogger logger, string instrument, int written, int known);
}

using K2.Core;
using K2.Core.Candles;
using K2.Core.Trades;
using K2.Grains.Backfill;
using K2.Grains.Ingest;
using K2.Storage.Bronze;
using K2.Storage.Writers;

namespace K2.Api.Status;

/// <summary>
/// What a silo counts for itself, for its status: the rows each of its table writers stored and holds, and each
/// exchange's ingest totals and backfill queue on this silo. Registered only where ingest runs; a client of the cluster has none.
/// </summary>
internal sealed class SiloCounters(
    IngestMetrics ingest, BackfillQueues backfills, BatchedTableWriter<Trade> silverTrades, BatchedTableWriter<Candle> candles, BronzeWriters bronze)
{
    public HotStoreStatus HotStore(IEnumerable<Exchange> exchanges) => new(
        silverTrades.RowsWritten,
        silverTrades.BufferedRows,
        [Writer(silverTrades), Writer(candles), .. exchanges.Select(e => Writer(bronze.For(e)))]);

    public IReadOnlyDictionary<string, IngestTotals> Ingest(IEnumerable<Exchange> exchanges) => exchanges.ToDictionary(e => e.ToName(), ingest.Totals);

    public IReadOnlyDictionary<string, BackfillStatus> Backfill(IEnumerable<Exchange> exchanges) =>
        exchanges.ToDictionary(e => e.ToName(), e => Backfill(backfills.For(e)));

    private static WriterStatus Writer<TRow>(BatchedTableWriter<TRow> writer) => new(writer.Table, writer.RowsWritten, writer.BufferedRows);

    private static BackfillStatus Backfill(BackfillQueue queue)
    {
        var inFlight = queue.Progress.Current;
        return new BackfillStatus(queue.RepairsPending, queue.Count, inFlight?.Request.ToString(), inFlight?.Since, inFlight?.WaitingUntil, inFlight?.WaitingFor);
    }
}

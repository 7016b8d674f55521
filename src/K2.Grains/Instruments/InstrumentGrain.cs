using K2.Core.Trades;
using K2.Grains.Abstractions;
using K2.Grains.Ingest;
using K2.Grains.Runtime;
using K2.Storage.Writers;

namespace K2.Grains.Instruments;

/// <summary>Passes each trade of one instrument to the hot store exactly once.</summary>
internal sealed class InstrumentGrain(BatchedTableWriter<Trade> silverTrades, IngestMetrics metrics) : Grain, IInstrumentGrain
{
    private readonly TradeDeduplicator _deduplicator = new();

    public async Task OnTradesAsync(IReadOnlyList<Trade> trades, CancellationToken cancellationToken)
    {
        foreach (var trade in trades)
        {
            if (_deduplicator.HasSeen(trade.TradeId))
            {
                metrics.Duplicate(trade.Exchange);
                continue;
            }

            // Recorded as seen only once the writer has it: a trade that never reached the writer may come again.
            await silverTrades.WriteAsync(trade, cancellationToken);
            _deduplicator.Record(trade.TradeId);
            metrics.Normalized(trade.Exchange);
        }
    }
}

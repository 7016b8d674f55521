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

    public async Task OnTradesAsync(IReadOnlyList<Trade> trades)
    {
        foreach (var trade in trades)
        {
            if (!_deduplicator.TryAccept(trade.TradeId))
            {
                metrics.Duplicate(trade.Exchange);
                continue;
            }

            await silverTrades.WriteAsync(trade, CancellationToken.None);
            metrics.Normalized(trade.Exchange);
        }
    }
}

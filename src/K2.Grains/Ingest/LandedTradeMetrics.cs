using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using K2.Core;
using K2.Core.Trades;
using K2.Storage.Writers;

namespace K2.Grains.Ingest;

/// <summary>
/// What the silver trade writer reports as landed in the hot store (meter "K2.Ingest"): each trade's time from receipt to
/// stored, and per instrument the exchange time of the newest trade stored, so a silent instrument shows.
/// </summary>
public sealed class LandedTradeMetrics : ILandedRowsObserver<Trade>
{
    /// <summary>Written only on the writer's loop, read by the exporter's collection.</summary>
    private readonly ConcurrentDictionary<(Exchange Exchange, string Symbol), long> _newestTradeMicros = new();
    private readonly Histogram<double> _latency;
    private readonly TimeProvider _time;

    public LandedTradeMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        var meter = meterFactory.Create(IngestMetrics.MeterName);
        _latency = meter.CreateHistogram<double>(
            "k2.ingest.latency", "s", "From a trade's receipt by K2 to its insert into the hot store (silver_trades) being acknowledged.");
        // A time rather than an age: in a cluster a silo keeps reporting an instrument that moved away, and the maximum
        // over silos is still right, where an age would read as silence.
        meter.CreateObservableGauge("k2.instrument.last_trade", ObserveNewestTrades, "s",
            "Exchange time of the newest trade of the instrument stored by this process, in Unix seconds.");
    }

    public void Landed(IReadOnlyList<Trade> rows, UnixMicros? ingestTime)
    {
        var now = UnixMicros.Now(_time).Value;
        foreach (var trade in rows)
        {
            _latency.Record((now - trade.ReceiptTime.Value) / 1e6, new KeyValuePair<string, object?>("exchange", trade.Exchange.ToName()));
            var key = (trade.Exchange, trade.Symbol);
            if (!_newestTradeMicros.TryGetValue(key, out var newest) || trade.ExchangeTime.Value > newest)
            {
                _newestTradeMicros[key] = trade.ExchangeTime.Value;
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveNewestTrades() =>
        _newestTradeMicros.Select(p => new Measurement<double>(
            p.Value / 1e6, new KeyValuePair<string, object?>("exchange", p.Key.Exchange.ToName()), new KeyValuePair<string, object?>("symbol", p.Key.Symbol)));
}

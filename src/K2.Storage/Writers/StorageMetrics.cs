using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace K2.Storage.Writers;

/// <summary>Instruments of the table writers, tagged by table. One instance per process (meter "K2.Storage").</summary>
public sealed class StorageMetrics
{
    public const string MeterName = "K2.Storage";

    private readonly ConcurrentDictionary<string, Func<long>> _bufferedRows = new(StringComparer.Ordinal);

    public StorageMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        RowsWritten = meter.CreateCounter<long>("k2.insert.rows", "{row}", "Rows inserted into the hot store.");
        BatchRows = meter.CreateHistogram<long>("k2.insert.batch.rows", "{row}", "Rows per insert batch.");
        FlushDuration = meter.CreateHistogram<double>("k2.insert.flush.duration", "s", "Time to insert one batch, retries included.");
        Failures = meter.CreateCounter<long>("k2.insert.failures", "{failure}", "Failed insert attempts (each is retried).");
        Dropped = meter.CreateCounter<long>("k2.insert.dropped.rows", "{row}", "Rows given up at shutdown because the store stayed down.");
        Unencodable = meter.CreateCounter<long>("k2.insert.unencodable.rows", "{row}", "Rows left out because a value did not fit its column (a bug upstream).");
        meter.CreateObservableGauge("k2.insert.buffered.rows", ObserveBuffered, "{row}", "Rows waiting to be inserted.");
    }

    public Counter<long> RowsWritten { get; }
    public Histogram<long> BatchRows { get; }
    public Histogram<double> FlushDuration { get; }
    public Counter<long> Failures { get; }
    public Counter<long> Dropped { get; }
    public Counter<long> Unencodable { get; }

    public void TrackBuffered(string table, Func<long> bufferedRows) => _bufferedRows[table] = bufferedRows;

    private IEnumerable<Measurement<long>> ObserveBuffered() =>
        _bufferedRows.Select(p => new Measurement<long>(p.Value(), new KeyValuePair<string, object?>("table", p.Key)));
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using K2.Core;

namespace K2.Storage.Iceberg.Offload;

/// <summary>
/// Instruments of the offload, tagged by table (meter "K2.Offload"): what each table's offload moved, how long it took,
/// how often it failed, and how far each cold table trails: the age of its watermark, which grows by the 15-minute
/// cycle plus the safety lag when all is well and without bound when offloads stop.
/// </summary>
public sealed class OffloadMetrics
{
    public const string MeterName = "K2.Offload";

    private readonly ConcurrentDictionary<string, UnixMicros> _watermarks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UnixMicros> _lastSuccess = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly Counter<long> _rows;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _files;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _duration;

    public OffloadMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        _time = time;
        var meter = meterFactory.Create(MeterName);
        _rows = meter.CreateCounter<long>("k2.offload.rows", "{row}", "Rows committed to the cold tables.");
        _bytes = meter.CreateCounter<long>("k2.offload.bytes", "By", "Parquet bytes committed to the cold tables.");
        _files = meter.CreateCounter<long>("k2.offload.files", "{file}", "Data files committed to the cold tables.");
        _failures = meter.CreateCounter<long>("k2.offload.failures", "{offload}", "Table offloads that failed.");
        _duration = meter.CreateHistogram<double>("k2.offload.duration", "s", "How long one table's offload took, empty or not.");
        meter.CreateObservableGauge("k2.offload.watermark.age", ObserveWatermarkAges, "s",
            "How far each cold table trails: now minus its offload watermark, as of its last offload in this process.");
        // An idle table's watermark ages while nothing is missing from cold: this says its offload still ran and looked.
        meter.CreateObservableGauge("k2.offload.last_success", ObserveLastSuccesses, "s",
            "When each table's offload last succeeded (committed or found nothing new) in this process, in Unix seconds: everything ingested up to the safety lag before it was checked.");
    }

    /// <summary>Records one table's offload: its result, or that it failed after <paramref name="duration"/>.</summary>
    public void Record(string table, OffloadResult? result, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("table", table);
        _duration.Record(duration.TotalSeconds, tag);
        if (result is null)
        {
            _failures.Add(1, tag);
            return;
        }

        _lastSuccess[table] = UnixMicros.Now(_time);
        _rows.Add(result.Rows, tag);
        _bytes.Add(result.Bytes, tag);
        _files.Add(result.Files, tag);
        if (result.Watermark.Value != long.MinValue)
        {
            _watermarks[table] = result.Watermark;
        }
    }

    private IEnumerable<Measurement<double>> ObserveLastSuccesses() =>
        _lastSuccess.Select(p => new Measurement<double>(p.Value.Value / 1e6, new KeyValuePair<string, object?>("table", p.Key)));

    private IEnumerable<Measurement<double>> ObserveWatermarkAges()
    {
        var now = UnixMicros.Now(_time).Value;
        foreach (var (table, watermark) in _watermarks)
        {
            yield return new Measurement<double>((now - watermark.Value) / 1e6, new KeyValuePair<string, object?>("table", table));
        }
    }
}

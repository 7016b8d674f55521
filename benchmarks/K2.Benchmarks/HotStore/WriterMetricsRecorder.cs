using System.Diagnostics.Metrics;
using K2.Storage.Trades;
using K2.Storage.Writers;

namespace K2.Benchmarks.HotStore;

/// <summary>
/// Listens to what the silver writer reports through <see cref="StorageMetrics"/> (meter <c>K2.Storage</c>): rows per
/// insert batch, time per flush and failed insert attempts. The harness reads the writer only from the outside.
/// </summary>
internal sealed class WriterMetricsRecorder : IDisposable
{
    private const string BatchRowsInstrument = "k2.insert.batch.rows";
    private const string FlushDurationInstrument = "k2.insert.flush.duration";
    private const string FailuresInstrument = "k2.insert.failures";

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<double> _batchRows = [];
    private readonly List<double> _flushMilliseconds = [];
    private long _failures;

    public WriterMetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName
                && instrument.Name is BatchRowsInstrument or FlushDurationInstrument or FailuresInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (!IsSilverTrades(tags))
            {
                return;
            }

            lock (_gate)
            {
                if (instrument.Name == BatchRowsInstrument)
                {
                    _batchRows.Add(value);
                }
                else
                {
                    _failures += value;
                }
            }
        });
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            if (IsSilverTrades(tags))
            {
                lock (_gate)
                {
                    _flushMilliseconds.Add(seconds * 1_000);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Failed insert attempts since start (the writer retries each; a benchmark run should see none).</summary>
    public long Failures
    {
        get
        {
            lock (_gate)
            {
                return _failures;
            }
        }
    }

    /// <summary>Forgets the batches seen so far, so a report covers the measured window only.</summary>
    public void ClearBatches()
    {
        lock (_gate)
        {
            _batchRows.Clear();
            _flushMilliseconds.Clear();
        }
    }

    public (double[] BatchRows, double[] FlushMilliseconds) Batches()
    {
        lock (_gate)
        {
            return ([.. _batchRows], [.. _flushMilliseconds]);
        }
    }

    public void Dispose() => _listener.Dispose();

    private static bool IsSilverTrades(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "table")
            {
                return tag.Value as string == SilverTradesTable.TableName;
            }
        }

        return false;
    }
}

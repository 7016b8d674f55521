using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace K2.Testing;

/// <summary>
/// An <see cref="IMeterFactory"/> whose meters only this test listens to, with every measurement recorded, so
/// tests running in parallel never see each other's numbers.
/// </summary>
public sealed class TestMeterFactory : IMeterFactory
{
    private readonly ConcurrentBag<Meter> _meters = [];
    private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();
    private readonly MeterListener _listener = new();

    public TestMeterFactory()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meters.Contains(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters.Add(meter);
        return meter;
    }

    /// <summary>Every value recorded on <paramref name="instrument"/>, in order.</summary>
    public IReadOnlyList<double> Values(string instrument) =>
        [.. _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value)];

    public double Sum(string instrument) => Values(instrument).Sum();

    /// <summary>The sum of the values recorded on <paramref name="instrument"/> with <paramref name="tag"/> among their tags.</summary>
    public double Sum(string instrument, (string Key, string Value) tag) =>
        _measurements.Where(m => m.Instrument == instrument && m.Tags.Any(t => t.Key == tag.Key && Equals(t.Value, tag.Value))).Sum(m => m.Value);

    /// <summary>Has every observable instrument report now; what they report joins <see cref="Values"/>.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace K2.Silo.Schedules;

/// <summary>Instruments of the durable schedules, tagged by schedule. One instance per process (meter "K2.Schedules").</summary>
public sealed class ScheduleMetrics
{
    public const string MeterName = "K2.Schedules";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSuccess = new(StringComparer.Ordinal);

    public ScheduleMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        Runs = meter.CreateCounter<long>("k2.schedule.runs", "{run}", "Scheduled runs that ended, tagged by schedule and outcome.");
        Failures = meter.CreateCounter<long>("k2.schedule.failures", "{run}", "Scheduled runs that threw.");
        Duration = meter.CreateHistogram<double>("k2.schedule.run.duration", "s", "How long one scheduled run took, whatever its outcome.");
        meter.CreateObservableGauge("k2.schedule.last_success", ObserveLastSuccess, "s",
            "When each schedule last succeeded on this silo, in Unix seconds. In a cluster, take the maximum over silos.");
    }

    public Counter<long> Runs { get; }
    public Counter<long> Failures { get; }
    public Histogram<double> Duration { get; }

    public void RecordSuccess(string schedule, DateTimeOffset endedAt) => _lastSuccess[schedule] = endedAt;

    private IEnumerable<Measurement<double>> ObserveLastSuccess() =>
        _lastSuccess.Select(p => new Measurement<double>(
            p.Value.ToUnixTimeMilliseconds() / 1000.0, new KeyValuePair<string, object?>("schedule", p.Key)));
}

using OpenTelemetry.Metrics;

namespace K2.Api.Metrics;

/// <summary>
/// Bucket bounds, in seconds, for the duration histograms K2 records: the exporter's default bounds (0 to 10 000) suit
/// milliseconds, not seconds.
/// </summary>
internal static class HistogramBuckets
{
    /// <summary>An insert batch: a few milliseconds normally, seconds while the store struggles (retries included).</summary>
    private static readonly double[] Insert = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>One table's offload or one scheduled run: under a second when idle, minutes when catching up.</summary>
    private static readonly double[] Run = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

    /// <summary>From a trade's receipt to its row in the hot store: the writers' flush interval plus one insert, or more under back-pressure.</summary>
    private static readonly double[] Latency = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private static readonly Dictionary<string, double[]> ByInstrument = new(StringComparer.Ordinal)
    {
        ["k2.insert.flush.duration"] = Insert,
        ["k2.offload.duration"] = Run,
        ["k2.schedule.run.duration"] = Run,
        ["k2.ingest.latency"] = Latency,
    };

    public static MetricStreamConfiguration? Stream(string instrumentName) =>
        ByInstrument.TryGetValue(instrumentName, out var bounds) ? new ExplicitBucketHistogramConfiguration { Boundaries = bounds } : null;
}

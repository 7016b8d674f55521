using OpenTelemetry.Metrics;

namespace K2.Api.Metrics;

/// <summary>
/// The .NET runtime's instruments (meter "System.Runtime") pass as they are, except four up-down counters whose names
/// end in ".count": as Prometheus gauges their names would end in <c>_count</c>, which Prometheus reserves for
/// histograms and summaries, so they are renamed after what they count.
/// </summary>
internal static class RuntimeMetricStreams
{
    public const string MeterName = "System.Runtime";

    private static readonly Dictionary<string, string> Renames = new(StringComparer.Ordinal)
    {
        ["dotnet.timer.count"] = "dotnet.timers",
        ["dotnet.assembly.count"] = "dotnet.assemblies",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.thread_pool.thread.count"] = "dotnet.thread_pool.threads",
    };

    public static MetricStreamConfiguration? Stream(string instrumentName) =>
        Renames.TryGetValue(instrumentName, out var name) ? new MetricStreamConfiguration { Name = name } : null;
}

using System.Diagnostics.Metrics;
using K2.Grains.Ingest;
using K2.Storage.Iceberg.Maintenance;
using K2.Storage.Iceberg.Offload;
using K2.Storage.Writers;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace K2.Api.Metrics;

/// <summary>
/// <c>/metrics</c> in Prometheus' text format through OpenTelemetry's exporter: K2's meters, ASP.NET Core's and the
/// runtime's, and the Orleans instruments <see cref="OrleansMetricStreams"/> keeps. Silo and standalone API alike.
/// </summary>
public static class MetricsExportServiceCollectionExtensions
{
    /// <summary>The meters of K2's libraries; a host adds those of its own (the silo's schedules).</summary>
    private static readonly string[] LibraryMeters = [IngestMetrics.MeterName, StorageMetrics.MeterName, OffloadMetrics.MeterName, MaintenanceMetrics.MeterName];

    /// <summary>
    /// Collects the meters for <c>/metrics</c>: <paramref name="serviceName"/> is the process kind (exported as
    /// <c>target_info{service_name}</c>), <paramref name="hostMeters"/> the meters the host creates beside its libraries'.
    /// </summary>
    public static IServiceCollection AddK2MetricsExport(this IServiceCollection services, string serviceName, params string[] hostMeters)
    {
        services.AddOptions<MetricsExportOptions>().BindConfiguration(MetricsExportOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsExportOptions>, MetricsExportOptionsValidator>();
        services.AddOptions<PrometheusAspNetCoreOptions>().Configure<IOptions<MetricsExportOptions>>((exporter, configured) =>
        {
            exporter.ScrapeResponseCacheDurationMilliseconds = (int)configured.Value.ScrapeCacheDuration.TotalMilliseconds;
            // Every K2 name already says where it comes from; the scope labels would only repeat it on every sample.
            exporter.ScopeInfoEnabled = false;
        });
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics
                .AddMeter([.. LibraryMeters, .. hostMeters, OrleansMetricStreams.MeterName])
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                // One view for every instrument: each matching view adds a stream, so two would export one instrument twice.
                .AddView(Stream)
                .AddPrometheusExporter());
        return services;
    }

    /// <summary>Maps <c>/metrics</c>; like health, it is outside the API's rate limits and reference.</summary>
    public static IEndpointRouteBuilder MapK2Metrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").ExcludeFromDescription();
        return app;
    }

    private static MetricStreamConfiguration? Stream(Instrument instrument) => instrument.Meter.Name switch
    {
        OrleansMetricStreams.MeterName => OrleansMetricStreams.Stream(instrument.Name),
        RuntimeMetricStreams.MeterName => RuntimeMetricStreams.Stream(instrument.Name),
        _ => HistogramBuckets.Stream(instrument.Name),
    };
}

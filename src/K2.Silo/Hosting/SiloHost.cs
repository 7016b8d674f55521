using K2.Api.Admin;
using K2.Api.Hosting;
using K2.Api.Metrics;
using K2.Api.Status;
using K2.Core.Instruments;
using K2.Grains.Cluster;
using K2.Grains.Hosting;
using K2.Grains.Instruments;
using K2.Silo.Cluster;
using K2.Silo.Health;
using K2.Silo.Schedules;
using K2.Simulator;
using K2.Storage.History;
using K2.Storage.Hosting;
using K2.Storage.Iceberg;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Console;
using Orleans.Dashboard;

namespace K2.Silo.Hosting;

/// <summary>Composes the silo process: hot store, ingest, API, admin actions, health, status and the Orleans dashboard.</summary>
internal static class SiloHost
{
    /// <summary>Long enough for sessions to close, grains to drain and writers to flush their last batches.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The silo's host; <paramref name="overrides"/> are settings over every other layer and <paramref name="replace"/>
    /// registers services over K2's own (in-process hosts of tests set theirs there).
    /// </summary>
    public static WebApplication Build(
        SiloSettings settings, InstrumentRegistry registry, ExchangeSimulator? simulator, IReadOnlyDictionary<string, string?>? overrides = null,
        Action<IServiceCollection>? replace = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        SiloConfiguration.AddLayers(builder.Configuration, CommandLineOverrides(settings, simulator, overrides));
        // The listening addresses come from --urls alone: a Kestrel:Endpoints section in the environment must not be able
        // to open K2 to the network behind the operator's back.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Configure(new ConfigurationBuilder().Build()));
        builder.WebHost.UseUrls(settings.Urls);
        builder.Logging.ClearProviders().AddSimpleConsole(ConfigureConsole);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);

        // Order matters: hosted services start in this order and stop in reverse, so the hot store migrates before
        // anything writes, and the writers drain after the grains and sessions have stopped.
        builder.Services.AddSingleton(registry);
        builder.Services.AddConfiguredHotStore(builder.Configuration);
        builder.Services.AddColdTier();
        builder.Services.AddSingleton<IOffloadRun, ScheduledOffload>();
        builder.Services.AddSingleton<IMaintenanceRun, ScheduledMaintenance>();
        builder.Services.AddK2Schedules();

        // Between the writers and the sessions, so at a stop the sessions end first, then the grains hand over their last
        // rows. In a cluster the membership schema is brought up to date first (hosted services start in order).
        if (ClusterConnectionOptions.IsPostgres(builder.Configuration))
        {
            builder.Services.AddHostedService<ClusterSchemaInitializer>();
        }

        builder.UseOrleans(silo =>
        {
            silo.UseK2Cluster(builder.Configuration, HttpPorts(settings.Urls));
            // The package's defaults (counters every second, 100 samples of history): a longer interval saves no measurable
            // CPU, since the dashboard collects Orleans' meters every second regardless, and it times grain calls only
            // while someone has it open (docs/ARCHITECTURE.md, "Operator views").
            silo.AddDashboard();
        });
        builder.Services.AddK2Ingest();
        builder.Services.AddRequestedBackfills();
        // The latest trades of the instruments this silo's grains ingest come from their memory (the standalone API has none).
        builder.Services.AddSingleton<ILatestTradesSource>(sp => sp.GetRequiredService<LatestTradeWindows>());
        builder.Services.AddK2Api();
        builder.Services.AddK2MetricsExport("k2-silo", ScheduleMetrics.MeterName, ClusterMetrics.MeterName);
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ClusterMetrics>();
        builder.Services.AddK2Status(siloCounters: true);
        builder.Services.AddHealthChecks()
            .AddCheck<HotStoreHealthCheck>("hot_store", tags: [HealthTags.Ready])
            .AddCheck<IngestHealthCheck>("ingest", tags: [HealthTags.Ready]);

        replace?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseK2ApiErrors();
        app.MapK2Api();
        app.MapK2Metrics();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Ready) });
        app.MapStatus();
        app.MapStatusPage();
        app.MapAdmin();
        // The Orleans dashboard serves its page, scripts and JSON from its own assembly: nothing is fetched from outside.
        app.MapOrleansDashboard(routePrefix: "/dashboard").ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Logging for the in-process simulator: its own web host's lifetime and request logs would read as K2's, so only
    /// the simulator's own messages and framework warnings are shown.
    /// </summary>
    public static ILoggerFactory CreateSimulatorLoggerFactory() => LoggerFactory.Create(b => b
        .AddSimpleConsole(ConfigureConsole)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("K2.Simulator", LogLevel.Information));

    private static Dictionary<string, string?> CommandLineOverrides(
        SiloSettings settings, ExchangeSimulator? simulator, IReadOnlyDictionary<string, string?>? overrides)
    {
        var layer = settings.DataDirectory is { } data ? DataDirectoryLayout.Settings(data) : [];
        foreach (var (key, value) in simulator?.K2Settings ?? new Dictionary<string, string>())
        {
            layer[key] = value;
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            layer[key] = value;
        }

        return layer;
    }

    private static void ConfigureConsole(SimpleConsoleFormatterOptions options)
    {
        options.SingleLine = true;
        options.UseUtcTimestamp = true;
        options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
    }

    /// <summary>The ports of <c>--urls</c> (separated by ";"), each as Kestrel will bind it.</summary>
    private static int[] HttpPorts(string urls) =>
        [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => Uri.TryCreate(url.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : 0)
            .Where(port => port > 0)];
}

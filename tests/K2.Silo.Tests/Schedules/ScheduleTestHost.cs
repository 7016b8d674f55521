using System.Diagnostics.Metrics;
using K2.Silo.Schedules;
using K2.Testing.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace K2.Silo.Tests.Schedules;

/// <summary>A host with nothing but the schedules in it, as a silo composes them, with its logs captured.</summary>
internal static class ScheduleTestHost
{
    /// <summary>Every 2 s, on even seconds: short enough for tests, long enough for a 1 s misfire threshold.</summary>
    public const string EveryTwoSeconds = "0/2 * * * * ?";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public static Dictionary<string, string?> Sqlite(string sqlitePath) => new()
    {
        ["K2:Schedules:Store"] = "Sqlite",
        ["K2:Schedules:SqlitePath"] = sqlitePath,
        ["K2:Schedules:Offload:Cron"] = EveryTwoSeconds,
        ["K2:Schedules:MisfireThreshold"] = "00:00:01",
    };

    public static Dictionary<string, string?> Postgres(string connectionString) => new()
    {
        ["K2:Schedules:Store"] = "Postgres",
        ["K2:Schedules:PostgresConnectionString"] = connectionString,
        ["K2:Schedules:Offload:Cron"] = EveryTwoSeconds,
        ["K2:Schedules:MisfireThreshold"] = "00:00:01",
    };

    public static IHost Build(
        Dictionary<string, string?> configuration,
        Action<IServiceCollection> registerRuns,
        CapturingLoggerProvider? logs = null,
        IMeterFactory? meters = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        if (meters is not null)
        {
            builder.Services.AddSingleton(meters);
        }

        builder.Services.AddK2Schedules(builder.Configuration);
        registerRuns(builder.Services);
        return builder.Build();
    }

    /// <summary>Registers <paramref name="runs"/> as the offload run only.</summary>
    public static Action<IServiceCollection> Offload(RecordingRuns runs) => services => services.AddSingleton<IOffloadRun>(runs);
}

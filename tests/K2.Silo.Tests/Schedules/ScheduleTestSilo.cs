using System.Diagnostics.Metrics;
using K2.Grains.Schedules;
using K2.Silo.Schedules;
using K2.Storage.Iceberg.Catalog;
using K2.Testing.Grains;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Silo.Tests.Schedules;

/// <summary>
/// A silo with the schedules as <c>k2 run</c> composes them: reminders in a SQLite state database, the offload and
/// maintenance grains and their starter, on <see cref="GrainTestHost"/>'s manual clock (which the reminders follow
/// too, through a <see cref="ReminderClock"/>), with the runs recording into a <see cref="RunLog"/> and their leases in the
/// same SQLite file. The reminder probe follows this silo's reminders.
/// </summary>
internal static class ScheduleTestSilo
{
    public static async Task<GrainTestHost> StartAsync(
        string sqlitePath,
        RunLog runs,
        ReminderTickProbe probe,
        DateTimeOffset clockStart,
        CancellationToken cancellationToken,
        Action<SchedulesOptions>? configure = null,
        IMeterFactory? meters = null)
    {
        var host = await GrainTestHost.StartAsync(services =>
        {
            services.Configure<StateDatabaseOptions>(o => o.SqlitePath = sqlitePath);
            services.AddReminders();
            services.AddSingleton<IReminderTable, SqliteReminderTable>();
            services.AddSingleton(sp => new ScheduleLeases(
                SqliteFactory.Instance.CreateDataSource(new SqliteConnectionStringBuilder { DataSource = sqlitePath }.ToString()), sp.GetRequiredService<TimeProvider>()));
            // Orleans keeps only reminders due within this window ticking and reloads the others every few minutes; a
            // window wider than any test's span keeps every tick one wait that the probe can see being armed.
            services.Configure<ReminderOptions>(o => o.ReminderLoadingWindow = TimeSpan.FromDays(2));
            services.AddKeyedSingleton<TimeProvider>(
                Orleans.Reminders.ReminderTimeProviderNames.Reminders, (provider, _) => new ReminderClock(provider.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IOffloadRun>(sp => new RecordingRun(ScheduleNames.Offload, runs, sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IMaintenanceRun>(sp => new RecordingRun(ScheduleNames.Maintenance, runs, sp.GetRequiredService<TimeProvider>()));
            services.AddK2Schedules();
            if (configure is not null)
            {
                services.Configure(configure);
            }

            if (meters is not null)
            {
                services.AddSingleton(meters);
            }
        }, cancellationToken, clockStart: clockStart);
        probe.Follow(host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress);
        return host;
    }

    /// <summary>The grain id of a schedule's grain, as its reminder row names it.</summary>
    public static GrainId GrainOf<TGrain>(GrainTestHost host)
        where TGrain : IScheduleGrain => host.GrainFactory.GetGrain<TGrain>(0).GetGrainId();
}

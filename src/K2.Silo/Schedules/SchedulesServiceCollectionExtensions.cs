using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace K2.Silo.Schedules;

public static class SchedulesServiceCollectionExtensions
{
    /// <summary>
    /// Registers the schedules (<c>K2:Schedules</c>): the offload and maintenance grains' settings and telemetry, and
    /// what starts them with the silo. The silo needs reminders and a reminder table too, an <see cref="IOffloadRun"/>
    /// and an <see cref="IMaintenanceRun"/>, and the state database's <see cref="K2.Storage.Iceberg.Catalog.ScheduleLeases"/>.
    /// </summary>
    public static IServiceCollection AddK2Schedules(this IServiceCollection services)
    {
        services.AddOptions<SchedulesOptions>().BindConfiguration(SchedulesOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SchedulesOptions>, SchedulesOptionsValidator>();
        // Orleans refuses reminder periods below its minimum (1 minute); tests configure seconds.
        services.AddOptions<ReminderOptions>().Configure<IOptions<SchedulesOptions>>((reminders, schedules) =>
        {
            foreach (var period in new[] { schedules.Value.Offload.Period, schedules.Value.Maintenance.Period })
            {
                if (period > TimeSpan.Zero && period < reminders.MinimumReminderPeriod)
                {
                    reminders.MinimumReminderPeriod = period;
                }
            }
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<ScheduleMetrics>();
        services.AddSingleton<LeasedRun>();
        services.AddSingleton<ScheduleRunner>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ScheduleStarter>();
        return services;
    }
}

using K2.Grains.Schedules;
using Microsoft.Extensions.Options;

namespace K2.Silo.Schedules;

/// <summary>Starts the maintenance at each due time of <c>K2:Schedules:Maintenance</c> (daily at 02:00 UTC by default), or when asked.</summary>
[KeepAlive]
internal sealed class MaintenanceGrain(
    IMaintenanceRun run, IReminderTable reminders, IOptions<SchedulesOptions> options, ScheduleRunner runner, TimeProvider time, ILogger<MaintenanceGrain> logger)
    : ScheduleGrain(ScheduleNames.Maintenance, options.Value.Maintenance, run, reminders, options, runner, time, logger), IMaintenanceGrain
{
    public Task<MaintenanceReport?> RunNowAsync() => RunAskedForAsync(run.RunNowAsync);
}

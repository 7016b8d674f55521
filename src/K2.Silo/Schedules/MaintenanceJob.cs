using Quartz;

namespace K2.Silo.Schedules;

/// <summary>Fires the maintenance. Never two at once, cluster-wide: a firing due while one runs waits for it to end.</summary>
[DisallowConcurrentExecution]
internal sealed class MaintenanceJob(IMaintenanceRun run, ScheduleMetrics metrics, TimeProvider time, ILogger<MaintenanceJob> logger)
    : ScheduledJob(ScheduleNames.Maintenance, metrics, time, logger)
{
    protected override Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken) => run.RunAsync(firing, cancellationToken);
}

using Quartz;

namespace K2.Silo.Schedules;

/// <summary>Fires the offload. Never two at once, cluster-wide: a firing due while one runs waits for it to end.</summary>
[DisallowConcurrentExecution]
internal sealed class OffloadJob(IOffloadRun run, ScheduleMetrics metrics, TimeProvider time, ILogger<OffloadJob> logger)
    : ScheduledJob(ScheduleNames.Offload, metrics, time, logger)
{
    protected override Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken) => run.RunAsync(firing, cancellationToken);
}

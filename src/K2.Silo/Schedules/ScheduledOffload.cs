using K2.Storage.Iceberg.Offload;

namespace K2.Silo.Schedules;

/// <summary>The offload schedule's work: one cycle over every cold table. Failures of single tables are in the run log.</summary>
internal sealed class ScheduledOffload(OffloadCycle cycle) : IOffloadRun
{
    public Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken) => cycle.RunAsync(null, null, cancellationToken);
}

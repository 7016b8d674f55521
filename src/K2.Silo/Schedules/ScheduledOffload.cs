using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Offload;

namespace K2.Silo.Schedules;

/// <summary>
/// The offload schedule's work: one cycle over every cold table. Failures of single tables are in the run log, whose
/// latest start tells the schedule which due time last ran. A run an operator started goes first (<see cref="ScheduleRunGates"/>).
/// </summary>
internal sealed class ScheduledOffload(OffloadCycle cycle, SqlCatalog catalog, OffloadStateStore state, ScheduleRunGates gates) : IOffloadRun
{
    public async Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken)
    {
        using var run = await gates.EnterAsync(ScheduleNames.Offload, cancellationToken);
        await cycle.RunAsync(null, null, cancellationToken);
    }

    public async Task<DateTimeOffset?> LastRunAtAsync(CancellationToken cancellationToken)
    {
        // Before the first offload of a new state database the run log does not exist yet.
        await catalog.CreateTablesAsync(cancellationToken);
        return (await state.LatestRunStartAsync(cancellationToken))?.ToDateTimeOffset();
    }
}

using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Maintenance;
using K2.Storage.Iceberg.Metadata;

namespace K2.Silo.Schedules;

/// <summary>
/// The daily maintenance schedule's work: all four tasks on all ten tables. A failed task or an audit mismatch fails
/// the run (logged and counted by the schedule) after every other task has run. Each task leaves a record in
/// <c>maintenance_audit_log</c>; the latest one tells the schedule which due time last ran. A run an operator started
/// goes first (<see cref="ScheduleRunGates"/>).
/// </summary>
internal sealed class ScheduledMaintenance(ColdTableMaintenance maintenance, SqlCatalog catalog, OffloadStateStore state, ScheduleRunGates gates) : IMaintenanceRun
{
    public async Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken)
    {
        using var run = await gates.EnterAsync(ScheduleNames.Maintenance, cancellationToken);
        var result = await maintenance.RunAsync(ColdTables.All, [], cancellationToken);
        if (!result.Succeeded)
        {
            var failures = result.Outcomes.Where(o => !o.Succeeded).Select(o => $"{o.Table}/{ColdTableMaintenance.TaskName(o.Task)}: {o.Outcome}");
            throw new InvalidOperationException($"Maintenance finished with failures: {string.Join("; ", failures)}.");
        }
    }

    public async Task<DateTimeOffset?> LastRunAtAsync(CancellationToken cancellationToken)
    {
        await catalog.CreateTablesAsync(cancellationToken);
        return (await state.LatestAuditAtAsync(cancellationToken))?.ToDateTimeOffset();
    }
}

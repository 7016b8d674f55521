using K2.Grains.Schedules;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Maintenance;
using K2.Storage.Iceberg.Metadata;

namespace K2.Silo.Schedules;

/// <summary>
/// The maintenance's work, scheduled or asked for: all four tasks on all ten tables. Scheduled, a failed task or an
/// audit mismatch fails the run (logged and counted by the schedule) after every other task has run; asked for, the
/// report says so. Each task leaves a record in <c>maintenance_audit_log</c>; the latest one tells the schedule which
/// due time last ran. The maintenance grain runs one at a time.
/// </summary>
internal sealed class ScheduledMaintenance(ColdTableMaintenance maintenance, SqlCatalog catalog, OffloadStateStore state, TimeProvider time) : IMaintenanceRun
{
    public async Task RunAsync(ScheduleFiring firing, CancellationToken cancellationToken)
    {
        var result = await maintenance.RunAsync(ColdTables.All, [], cancellationToken);
        if (!result.Succeeded)
        {
            var failures = result.Outcomes.Where(o => !o.Succeeded).Select(o => $"{o.Table}/{ColdTableMaintenance.TaskName(o.Task)}: {o.Outcome}");
            throw new InvalidOperationException($"Maintenance finished with failures: {string.Join("; ", failures)}.");
        }
    }

    public async Task<MaintenanceReport> RunNowAsync(CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        var result = await maintenance.RunAsync(ColdTables.All, [], cancellationToken);
        var tasks = result.Outcomes.Select(o => new MaintenanceTaskReport(o.Table, ColdTableMaintenance.TaskName(o.Task), o.Outcome, o.Detail)).ToList();
        return new MaintenanceReport(startedAt, time.GetElapsedTime(started).TotalSeconds, result.Succeeded, tasks);
    }

    public async Task<DateTimeOffset?> LastRunAtAsync(CancellationToken cancellationToken)
    {
        await catalog.CreateTablesAsync(cancellationToken);
        return (await state.LatestAuditAtAsync(cancellationToken))?.ToDateTimeOffset();
    }
}

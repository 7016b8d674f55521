using K2.Core;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Metadata;
using Microsoft.Extensions.Logging;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>
/// The daily maintenance of the cold tables: for each table the chosen tasks in the order compact, expire, orphans,
/// audit (orphans then also removes what compaction replaced and expiry released once old enough). A task that fails
/// for a table is logged and counted, and every other task and table still runs; each outcome is recorded in
/// <c>maintenance_audit_log</c> (the audit with its counts).
/// </summary>
public sealed partial class ColdTableMaintenance(
    SmallFileCompaction compaction,
    SnapshotExpiration expiration,
    OrphanFileRemoval orphans,
    HotColdAudit audit,
    OffloadStateStore state,
    MaintenanceMetrics metrics,
    TimeProvider time,
    ILogger<ColdTableMaintenance> logger)
{
    public const string Ok = "ok";
    public const string Failed = "failed";

    /// <summary>Runs <paramref name="tasks"/> (all four when empty) on every table of <paramref name="tables"/>.</summary>
    public async Task<MaintenanceRunResult> RunAsync(
        IReadOnlyList<ColdTable> tables, IReadOnlyCollection<MaintenanceTask> tasks, CancellationToken cancellationToken)
    {
        var chosen = tasks.Count == 0 ? Enum.GetValues<MaintenanceTask>() : [.. tasks.Distinct().Order()];
        var outcomes = new List<MaintenanceOutcome>();
        foreach (var table in tables)
        {
            foreach (var task in chosen)
            {
                outcomes.Add(await RunTaskAsync(table, task, cancellationToken));
            }
        }

        return new MaintenanceRunResult(outcomes);
    }

    private async Task<MaintenanceOutcome> RunTaskAsync(ColdTable table, MaintenanceTask task, CancellationToken cancellationToken)
    {
        var tag = new KeyValuePair<string, object?>("table", table.Name);
        MaintenanceOutcome outcome;
        MaintenanceAudit record;
        try
        {
            if (task == MaintenanceTask.Audit)
            {
                record = await audit.AuditAsync(table, cancellationToken);
                outcome = new MaintenanceOutcome(table.Name, task, record.Outcome, $"hot {record.HotCount} rows, cold {record.ColdCount} rows");
                if (record.Outcome != HotColdAudit.Match)
                {
                    metrics.AuditMismatches.Add(1, tag);
                    LogAuditMismatch(logger, table.Name, record.HotCount ?? 0, record.ColdCount ?? 0);
                }
            }
            else
            {
                var detail = task switch
                {
                    MaintenanceTask.Compact => await CompactAsync(table, cancellationToken),
                    MaintenanceTask.Expire => $"{await expiration.ExpireAsync(table, cancellationToken)} snapshots expired",
                    MaintenanceTask.Orphans => $"{await orphans.RemoveAsync(table, cancellationToken)} files removed",
                    _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown maintenance task."),
                };
                outcome = new MaintenanceOutcome(table.Name, task, Ok, detail);
                record = Record(table, task, Ok);
            }

            LogTaskDone(logger, table.Name, TaskName(task), outcome.Detail);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.TaskFailures.Add(1, tag);
            LogTaskFailed(logger, e, table.Name, TaskName(task));
            outcome = new MaintenanceOutcome(table.Name, task, Failed, e.Message);
            record = Record(table, task, Failed);
        }

        try
        {
            await state.RecordAuditAsync(record, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogTaskFailed(logger, e, table.Name, $"{TaskName(task)} (recording its outcome)");
            return outcome with { Outcome = Failed, Detail = $"{outcome.Detail}; not recorded: {e.Message}" };
        }

        return outcome;
    }

    private async Task<string> CompactAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var result = await compaction.CompactAsync(table, cancellationToken);
        return $"{result.FilesReplaced} small files compacted into {result.FilesWritten}";
    }

    private MaintenanceAudit Record(ColdTable table, MaintenanceTask task, string outcome) =>
        new(Guid.NewGuid(), table.Name, TaskName(task), null, null, null, null, outcome, UnixMicros.Now(time));

    /// <summary>The task's name in the audit log and on the command line.</summary>
    public static string TaskName(MaintenanceTask task) => task.ToString().ToLowerInvariant();

    [LoggerMessage(EventId = StorageEventIds.MaintenanceTaskDone, Level = LogLevel.Information, Message = "Maintenance {Task} of {Table}: {Detail}")]
    private static partial void LogTaskDone(ILogger logger, string table, string task, string detail);

    [LoggerMessage(EventId = StorageEventIds.MaintenanceTaskFailed, Level = LogLevel.Error, Message = "Maintenance {Task} of {Table} failed")]
    private static partial void LogTaskFailed(ILogger logger, Exception exception, string table, string task);

    [LoggerMessage(EventId = StorageEventIds.AuditMismatch, Level = LogLevel.Error,
        Message = "Audit of {Table}: hot holds {HotCount} rows, cold {ColdCount}, in the last window up to the watermark")]
    private static partial void LogAuditMismatch(ILogger logger, string table, long hotCount, long coldCount);
}

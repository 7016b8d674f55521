using K2.Core;

namespace K2.Storage.Iceberg.Catalog;

/// <summary>
/// One maintenance task's record for one table: for the audit, the hot and cold row counts over
/// [<see cref="WindowStart"/>, <see cref="WindowEnd"/>); counts and window are empty for tasks that do not count.
/// </summary>
public sealed record MaintenanceAudit(
    Guid AuditId,
    string Table,
    string Task,
    long? HotCount,
    long? ColdCount,
    UnixMicros? WindowStart,
    UnixMicros? WindowEnd,
    string Outcome,
    UnixMicros At);

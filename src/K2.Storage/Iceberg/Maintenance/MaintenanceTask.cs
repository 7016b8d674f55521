namespace K2.Storage.Iceberg.Maintenance;

/// <summary>The four maintenance tasks; each can run alone (<c>k2 maintenance --task</c>).</summary>
public enum MaintenanceTask
{
    /// <summary>Rewrite the small data files of each day partition into fewer, larger ones.</summary>
    Compact,

    /// <summary>Drop snapshots older than the retention, keeping the current one.</summary>
    Expire,

    /// <summary>Delete files of the table that no live snapshot references, once older than the grace period.</summary>
    Orphans,

    /// <summary>Compare hot and cold row counts over the audit window.</summary>
    Audit,
}

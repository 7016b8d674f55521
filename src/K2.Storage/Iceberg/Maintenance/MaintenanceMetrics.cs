using System.Diagnostics.Metrics;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>Instruments of cold-table maintenance, tagged by table. One instance per process (meter "K2.Maintenance").</summary>
public sealed class MaintenanceMetrics
{
    public const string MeterName = "K2.Maintenance";

    public MaintenanceMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        AuditMismatches = meter.CreateCounter<long>("k2.maintenance.audit.mismatches", "{audit}", "Audits whose hot and cold row counts differ.");
        TaskFailures = meter.CreateCounter<long>("k2.maintenance.task.failures", "{task}", "Maintenance tasks that failed for a table.");
        FilesRemoved = meter.CreateCounter<long>("k2.maintenance.files.removed", "{file}", "Orphan files deleted from the warehouse.");
        FilesCompacted = meter.CreateCounter<long>("k2.maintenance.files.compacted", "{file}", "Small data files replaced by compaction.");
    }

    public Counter<long> AuditMismatches { get; }
    public Counter<long> TaskFailures { get; }
    public Counter<long> FilesRemoved { get; }
    public Counter<long> FilesCompacted { get; }
}

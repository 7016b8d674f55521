namespace K2.Storage.Iceberg.Maintenance;

/// <summary>Daily maintenance settings. Bound from <c>K2:Maintenance</c>.</summary>
public sealed class MaintenanceOptions
{
    public const string Section = "K2:Maintenance";

    /// <summary>Snapshots older than this are expired (the current one never is).</summary>
    public TimeSpan SnapshotRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// An unreferenced file younger than this is kept: it may belong to an offload or compaction still running, or
    /// to a crashed offload whose metadata file the next offload commits.
    /// </summary>
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Data files below this size are compacted with the other small files of their day partition.</summary>
    public long SmallFileBytes { get; set; } = 32L << 20;

    /// <summary>Compaction groups small files up to about this many bytes per new file.</summary>
    public long TargetFileBytes { get; set; } = 128L << 20;

    /// <summary>The audit compares hot and cold row counts over this much ingest time before now.</summary>
    public TimeSpan AuditWindow { get; set; } = TimeSpan.FromHours(24);
}

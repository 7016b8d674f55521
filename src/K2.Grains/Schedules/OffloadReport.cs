namespace K2.Grains.Schedules;

/// <summary>What an asked-for offload did: one entry per cold table, in the order the cycle ran them.</summary>
[GenerateSerializer, Immutable]
public sealed record OffloadReport(DateTimeOffset StartedAt, double DurationSeconds, bool Succeeded, IReadOnlyList<TableOffloadReport> Tables);

/// <summary>
/// One table's offload: the rows, files and bytes committed (zero when nothing was new), the snapshot committed, the
/// watermark (the last ingest time in cold; null before a table's first offload), or the error that stopped it.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TableOffloadReport(
    string Table, long Rows, int Files, long Bytes, long? SnapshotId, DateTimeOffset? Watermark, string? Error);

using System.Globalization;

namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// The <c>replace</c> snapshot a compaction commits: the same rows in other files. Kept beside
/// <see cref="TableMetadataUpdates"/> (which appends and expires) as a sibling; like it, each call returns new
/// metadata and leaves its input untouched.
/// </summary>
public static class TableMetadataReplacements
{
    /// <summary>Summary keys the replace computes itself; callers cannot set them through extra properties.</summary>
    private static readonly string[] ComputedSummaryKeys =
    [
        "operation", "added-data-files", "deleted-data-files", "added-records", "deleted-records", "added-files-size",
        "removed-files-size", "total-data-files", "total-records", "total-files-size", "total-delete-files",
        "total-position-deletes", "total-equality-deletes",
    ];

    /// <summary>
    /// <paramref name="current"/> with a new <c>replace</c> snapshot on top of its current one: the next sequence number,
    /// parent = the current snapshot, <c>main</c> moved to it, both logs extended, and a summary holding the added and
    /// deleted counts, the totals (the parent's, changed by them) and <paramref name="extraSummary"/> (a compaction
    /// carries the current offload watermark over unchanged, so the next offload continues where the last one ended).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The table has no snapshot to replace files of, the snapshot id is taken or not positive, an extra key is one the
    /// replace computes, or the replace would change the number of rows.
    /// </exception>
    /// <exception cref="IcebergMetadataException">The parent's summary has a total that is not a number.</exception>
    public static TableMetadata ReplaceSnapshot(
        TableMetadata current,
        long snapshotId,
        string manifestList,
        ReplacedFiles replaced,
        IReadOnlyDictionary<string, string> extraSummary,
        string currentMetadataLocation,
        long nowMs)
    {
        var parent = current.CurrentSnapshot
            ?? throw new ArgumentException("The table has no snapshot, so it has no files to replace.", nameof(current));
        if (snapshotId <= 0)
        {
            throw new ArgumentException($"Snapshot id {snapshotId} is not positive.", nameof(snapshotId));
        }

        if (current.Snapshots.Any(s => s.SnapshotId == snapshotId))
        {
            throw new ArgumentException($"Snapshot id {snapshotId} is already used by this table.", nameof(snapshotId));
        }

        if (extraSummary.Keys.FirstOrDefault(k => ComputedSummaryKeys.Contains(k, StringComparer.Ordinal)) is { } reserved)
        {
            throw new ArgumentException($"Summary key '{reserved}' is computed by the replace and cannot be given.", nameof(extraSummary));
        }

        if (replaced.AddedRecords != replaced.DeletedRecords)
        {
            throw new ArgumentException(
                $"A replace keeps the rows: it adds {replaced.AddedRecords} records but deletes {replaced.DeletedRecords}.", nameof(replaced));
        }

        ArgumentException.ThrowIfNullOrEmpty(manifestList);
        ArgumentException.ThrowIfNullOrEmpty(currentMetadataLocation);

        var timestamp = Math.Max(nowMs, current.LastUpdatedMs);
        var sequenceNumber = current.LastSequenceNumber + 1;
        var summary = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["operation"] = "replace",
            ["added-data-files"] = Text(replaced.AddedDataFiles),
            ["deleted-data-files"] = Text(replaced.DeletedDataFiles),
            ["added-records"] = Text(replaced.AddedRecords),
            ["deleted-records"] = Text(replaced.DeletedRecords),
            ["added-files-size"] = Text(replaced.AddedFilesSizeBytes),
            ["removed-files-size"] = Text(replaced.RemovedFilesSizeBytes),
            ["total-data-files"] = Text(Total(parent, "total-data-files") + replaced.AddedDataFiles - replaced.DeletedDataFiles),
            ["total-records"] = Text(Total(parent, "total-records")),
            ["total-files-size"] = Text(Total(parent, "total-files-size") + replaced.AddedFilesSizeBytes - replaced.RemovedFilesSizeBytes),
            ["total-delete-files"] = "0",
            ["total-position-deletes"] = "0",
            ["total-equality-deletes"] = "0",
        };
        foreach (var (key, value) in extraSummary)
        {
            summary[key] = value;
        }

        var snapshot = new Snapshot(snapshotId, parent.SnapshotId, sequenceNumber, timestamp, manifestList, summary, current.CurrentSchemaId);
        return current with
        {
            LastSequenceNumber = sequenceNumber,
            LastUpdatedMs = timestamp,
            CurrentSnapshotId = snapshotId,
            Snapshots = [.. current.Snapshots, snapshot],
            SnapshotLog = [.. current.SnapshotLog, new SnapshotLogEntry(snapshotId, timestamp)],
            MetadataLog = [.. current.MetadataLog.Append(new MetadataLogEntry(currentMetadataLocation, timestamp)).TakeLast(TableMetadataUpdates.MetadataLogLimit)],
            Refs = new Dictionary<string, SnapshotRef>(current.Refs, StringComparer.Ordinal) { [SnapshotRef.MainBranch] = SnapshotRef.Branch(snapshotId) },
        };
    }

    private static long Total(Snapshot parent, string key)
    {
        if (!parent.Summary.TryGetValue(key, out var text))
        {
            return 0;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var total)
            ? total
            : throw new IcebergMetadataException($"Snapshot {parent.SnapshotId} summary '{key}' is not a count: '{text}'.");
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

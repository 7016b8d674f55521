using System.Globalization;

namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// The metadata changes the cold tier makes: create a table, append a snapshot, replace files (compaction), expire old
/// snapshots. Each returns new metadata and leaves its input untouched; committing the result is the catalog's job.
/// </summary>
public static class TableMetadataUpdates
{
    /// <summary>How many previous metadata files the <c>metadata-log</c> keeps (the reference implementation's default).</summary>
    public const int MetadataLogLimit = 100;

    /// <summary>Summary keys an append computes itself; callers cannot set them through extra properties.</summary>
    private static readonly string[] AppendSummaryKeys =
    [
        "operation", "added-data-files", "added-records", "added-files-size", "total-data-files", "total-records",
        "total-files-size", "total-delete-files", "total-position-deletes", "total-equality-deletes",
    ];

    /// <summary>Summary keys a replace computes itself.</summary>
    private static readonly string[] ReplaceSummaryKeys =
    [
        .. AppendSummaryKeys, "deleted-data-files", "deleted-records", "removed-files-size",
    ];

    /// <summary>
    /// Metadata of a new, empty table (no snapshot): format v2, the given schema and spec, unsorted, with the
    /// schema's name mapping in <c>schema.name-mapping.default</c> plus <paramref name="properties"/>.
    /// </summary>
    public static TableMetadata NewTable(
        IcebergSchema schema,
        PartitionSpec spec,
        string location,
        Guid tableUuid,
        long nowMs,
        IReadOnlyDictionary<string, string>? properties = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        foreach (var field in spec.Fields)
        {
            if (!schema.Fields.Any(f => f.Id == field.SourceId && f.Type is not ListType))
            {
                throw new ArgumentException($"Partition field '{field.Name}' has source id {field.SourceId}, which is no primitive column of the schema.", nameof(spec));
            }
        }

        var allProperties = new Dictionary<string, string>(properties ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [NameMapping.PropertyName] = NameMapping.ToJson(schema),
        };
        return new TableMetadata
        {
            TableUuid = tableUuid,
            Location = location.TrimEnd('/'),
            LastSequenceNumber = 0,
            LastUpdatedMs = nowMs,
            LastColumnId = schema.HighestFieldId,
            CurrentSchemaId = schema.SchemaId,
            Schemas = [schema],
            DefaultSpecId = spec.SpecId,
            PartitionSpecs = [spec],
            LastPartitionId = spec.HighestFieldId,
            DefaultSortOrderId = SortOrder.Unsorted.OrderId,
            SortOrders = [SortOrder.Unsorted],
            Properties = allProperties,
        };
    }

    /// <summary>
    /// <paramref name="current"/> with a new <c>append</c> snapshot on top: the next sequence number, parent = the
    /// current snapshot, <c>main</c> moved to it, both logs extended (<paramref name="currentMetadataLocation"/> is the
    /// file <paramref name="current"/> was read from), and a summary holding the added counts, totals (the parent's
    /// totals plus the added counts) and <paramref name="extraSummary"/> (e.g. K2's offload watermark).
    /// </summary>
    /// <exception cref="ArgumentException">The snapshot id is taken or not positive, or an extra key is one the append computes.</exception>
    /// <exception cref="IcebergMetadataException">The parent's summary has a total that is not a number.</exception>
    public static TableMetadata AppendSnapshot(
        TableMetadata current,
        long snapshotId,
        string manifestList,
        AppendedFiles added,
        IReadOnlyDictionary<string, string> extraSummary,
        string currentMetadataLocation,
        long nowMs)
    {
        CheckNewSnapshot(current, snapshotId, manifestList, extraSummary, currentMetadataLocation, "append", AppendSummaryKeys);
        var parent = current.CurrentSnapshot;
        return WithSnapshot(current, snapshotId, parent, manifestList, extraSummary, currentMetadataLocation, nowMs, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["operation"] = "append",
            ["added-data-files"] = Text(added.DataFiles),
            ["added-records"] = Text(added.Records),
            ["added-files-size"] = Text(added.FilesSizeBytes),
            ["total-data-files"] = Text(Total(parent, "total-data-files") + added.DataFiles),
            ["total-records"] = Text(Total(parent, "total-records") + added.Records),
            ["total-files-size"] = Text(Total(parent, "total-files-size") + added.FilesSizeBytes),
        });
    }

    /// <summary>
    /// <paramref name="current"/> with a new snapshot on top of its current one that replaces data files (what a
    /// compaction commits): <c>replace</c> when the new files hold the same rows, <c>overwrite</c> when they hold fewer
    /// (a compaction of a deduplicating table drops the rows a later version of their key superseded). The next sequence
    /// number, parent = the current snapshot, <c>main</c> moved to it, both logs extended, and a summary holding the
    /// added and deleted counts, the totals (the parent's, changed by them) and <paramref name="extraSummary"/> (a
    /// compaction carries the current offload watermark over unchanged, so the next offload continues where the last
    /// one ended).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The table has no snapshot to replace files of, the snapshot id is taken or not positive, an extra key is one the
    /// snapshot computes, or the new files would hold more rows than the ones they replace.
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
        var operation = replaced.AddedRecords == replaced.DeletedRecords ? "replace" : "overwrite";
        CheckNewSnapshot(current, snapshotId, manifestList, extraSummary, currentMetadataLocation, operation, ReplaceSummaryKeys);
        if (replaced.AddedRecords > replaced.DeletedRecords)
        {
            throw new ArgumentException(
                $"A compaction never adds rows: it adds {replaced.AddedRecords} records but deletes {replaced.DeletedRecords}.", nameof(replaced));
        }

        return WithSnapshot(current, snapshotId, parent, manifestList, extraSummary, currentMetadataLocation, nowMs, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["operation"] = operation,
            ["added-data-files"] = Text(replaced.AddedDataFiles),
            ["deleted-data-files"] = Text(replaced.DeletedDataFiles),
            ["added-records"] = Text(replaced.AddedRecords),
            ["deleted-records"] = Text(replaced.DeletedRecords),
            ["added-files-size"] = Text(replaced.AddedFilesSizeBytes),
            ["removed-files-size"] = Text(replaced.RemovedFilesSizeBytes),
            ["total-data-files"] = Text(Total(parent, "total-data-files") + replaced.AddedDataFiles - replaced.DeletedDataFiles),
            ["total-records"] = Text(Total(parent, "total-records") + replaced.AddedRecords - replaced.DeletedRecords),
            ["total-files-size"] = Text(Total(parent, "total-files-size") + replaced.AddedFilesSizeBytes - replaced.RemovedFilesSizeBytes),
        });
    }

    /// <summary>
    /// Removes the snapshots that are older than <paramref name="olderThanMs"/> and are not the current snapshot
    /// (the spec's retention with <c>min-snapshots-to-keep</c> = 1: the branch head is always kept, and so is every
    /// ancestor still inside the window). The snapshot log loses every entry up to the last removed snapshot.
    /// </summary>
    public static SnapshotExpiry ExpireSnapshots(TableMetadata current, long olderThanMs, string currentMetadataLocation, long nowMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(currentMetadataLocation);
        var retained = new HashSet<long>(current.Refs.Values.Select(r => r.SnapshotId));
        if (current.CurrentSnapshotId is { } head)
        {
            retained.Add(head);
        }

        var removed = current.Snapshots.Where(s => !retained.Contains(s.SnapshotId) && s.TimestampMs < olderThanMs).ToList();
        if (removed.Count == 0)
        {
            return new SnapshotExpiry(current, []);
        }

        var removedIds = removed.Select(s => s.SnapshotId).ToHashSet();
        var lastRemovedLogIndex = current.SnapshotLog.Select((entry, index) => (entry, index))
            .Where(e => removedIds.Contains(e.entry.SnapshotId)).Select(e => e.index).DefaultIfEmpty(-1).Max();
        var timestamp = Math.Max(nowMs, current.LastUpdatedMs);
        var expired = current with
        {
            LastUpdatedMs = timestamp,
            Snapshots = [.. current.Snapshots.Where(s => !removedIds.Contains(s.SnapshotId))],
            SnapshotLog = [.. current.SnapshotLog.Skip(lastRemovedLogIndex + 1)],
            MetadataLog = WithPrevious(current, currentMetadataLocation, timestamp),
        };
        return new SnapshotExpiry(expired, removed);
    }

    private static void CheckNewSnapshot(
        TableMetadata current, long snapshotId, string manifestList, IReadOnlyDictionary<string, string> extraSummary, string currentMetadataLocation, string operation,
        string[] computedKeys)
    {
        if (snapshotId <= 0)
        {
            throw new ArgumentException($"Snapshot id {snapshotId} is not positive.", nameof(snapshotId));
        }

        if (current.Snapshots.Any(s => s.SnapshotId == snapshotId))
        {
            throw new ArgumentException($"Snapshot id {snapshotId} is already used by this table.", nameof(snapshotId));
        }

        if (extraSummary.Keys.FirstOrDefault(k => computedKeys.Contains(k, StringComparer.Ordinal)) is { } reserved)
        {
            throw new ArgumentException($"Summary key '{reserved}' is computed by the {operation} and cannot be given.", nameof(extraSummary));
        }

        ArgumentException.ThrowIfNullOrEmpty(manifestList);
        ArgumentException.ThrowIfNullOrEmpty(currentMetadataLocation);
    }

    /// <summary>The new snapshot made current: the summary gets the zero delete totals and the extra properties.</summary>
    private static TableMetadata WithSnapshot(
        TableMetadata current, long snapshotId, Snapshot? parent, string manifestList, IReadOnlyDictionary<string, string> extraSummary,
        string currentMetadataLocation, long nowMs, Dictionary<string, string> summary)
    {
        var timestamp = Math.Max(nowMs, current.LastUpdatedMs);
        var sequenceNumber = current.LastSequenceNumber + 1;
        summary["total-delete-files"] = "0";
        summary["total-position-deletes"] = "0";
        summary["total-equality-deletes"] = "0";
        foreach (var (key, value) in extraSummary)
        {
            summary[key] = value;
        }

        var snapshot = new Snapshot(snapshotId, parent?.SnapshotId, sequenceNumber, timestamp, manifestList, summary, current.CurrentSchemaId);
        return current with
        {
            LastSequenceNumber = sequenceNumber,
            LastUpdatedMs = timestamp,
            CurrentSnapshotId = snapshotId,
            Snapshots = [.. current.Snapshots, snapshot],
            SnapshotLog = [.. current.SnapshotLog, new SnapshotLogEntry(snapshotId, timestamp)],
            MetadataLog = WithPrevious(current, currentMetadataLocation, timestamp),
            Refs = WithMain(current.Refs, snapshotId),
        };
    }

    private static long Total(Snapshot? parent, string key)
    {
        if (parent is null || !parent.Summary.TryGetValue(key, out var text))
        {
            return 0;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var total)
            ? total
            : throw new IcebergMetadataException($"Snapshot {parent.SnapshotId} summary '{key}' is not a count: '{text}'.");
    }

    private static List<MetadataLogEntry> WithPrevious(TableMetadata current, string currentMetadataLocation, long timestamp) =>
        [.. current.MetadataLog.Append(new MetadataLogEntry(currentMetadataLocation, timestamp)).TakeLast(MetadataLogLimit)];

    private static Dictionary<string, SnapshotRef> WithMain(IReadOnlyDictionary<string, SnapshotRef> refs, long snapshotId) =>
        new(refs, StringComparer.Ordinal) { [SnapshotRef.MainBranch] = SnapshotRef.Branch(snapshotId) };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}

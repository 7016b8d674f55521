using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Avro;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Manifests;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Offload;
using K2.Storage.Iceberg.Parquet;
using K2.Storage.ObjectStores;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>
/// Rewrites the small data files of each day partition (below <see cref="MaintenanceOptions.SmallFileBytes"/>) into
/// files of about <see cref="MaintenanceOptions.TargetFileBytes"/>: ClickHouse reads the rows of a group of small files
/// and writes them as one zstd Parquet file, sorted as the offload sorts, which gets the field ids and metrics the
/// offload gives its files; of a deduplicating table only each key's latest row is kept (an offload after a correction
/// sent the key again). One <c>replace</c> snapshot (<c>overwrite</c> when superseded rows went) then commits the new
/// files as ADDED and the old ones as DELETED in a new manifest (with the other live files of the manifests it rewrites as EXISTING), keeping the
/// current offload watermark. The replaced files stay on disk for older snapshots until they expire; a compaction
/// that loses its commit leaves its new files to <see cref="OrphanFileRemoval"/>.
/// </summary>
public sealed class SmallFileCompaction(
    IClickHouseClient clickHouse,
    IObjectStore warehouse,
    TableMetadataCommitter committer,
    MaintenanceOptions options,
    TimeProvider time,
    MaintenanceMetrics metrics)
{
    /// <summary>Compacts the table's small files; returns how many files were replaced and how many written.</summary>
    public async Task<CompactionResult> CompactAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var keys = committer.KeysOf(table);
        var start = await committer.LoadCurrentAsync(table, cancellationToken);
        if (start.Metadata.CurrentSnapshot is not { } snapshot)
        {
            return new CompactionResult(0, 0);
        }

        var (_, live) = await LiveDataFile.ReadAsync(keys, snapshot, cancellationToken);
        var groups = Groups(live.Select(f => f.Entry.DataFile));
        if (groups.Count == 0)
        {
            return new CompactionResult(0, 0);
        }

        var rewrites = new List<(IReadOnlyList<DataFile> Old, DataFile New)>();
        foreach (var group in groups)
        {
            rewrites.Add((group, await RewriteAsync(table, keys, group, cancellationToken)));
        }

        await committer.CommitAsync(table, (current, ct) => ReplaceAsync(table, keys, current, rewrites, ct), cancellationToken);
        var replaced = rewrites.Sum(r => r.Old.Count);
        metrics.FilesCompacted.Add(replaced, new KeyValuePair<string, object?>("table", table.Name));
        return new CompactionResult(replaced, rewrites.Count);
    }

    /// <summary>Per day partition, the small files in groups of at least two, each group at most about the target size.</summary>
    private List<IReadOnlyList<DataFile>> Groups(IEnumerable<DataFile> files)
    {
        var groups = new List<IReadOnlyList<DataFile>>();
        foreach (var partition in files.Where(f => f.FileSizeInBytes < options.SmallFileBytes).GroupBy(f => f.PartitionDay))
        {
            var group = new List<DataFile>();
            long size = 0;
            foreach (var file in partition)
            {
                if (group.Count > 0 && size + file.FileSizeInBytes > options.TargetFileBytes)
                {
                    groups.Add(group);
                    group = [];
                    size = 0;
                }

                group.Add(file);
                size += file.FileSizeInBytes;
            }

            groups.Add(group);
        }

        return [.. groups.Where(g => g.Count >= 2)];
    }

    /// <summary>Writes the rows of <paramref name="group"/> as one new data file of their partition.</summary>
    private async Task<DataFile> RewriteAsync(ColdTable table, WarehouseTableKeys keys, IReadOnlyList<DataFile> group, CancellationToken cancellationToken)
    {
        var parameters = new ClickHouseParameters();
        var rows = ColdDataFileQueries.RowsOf(
            table, [.. group.Select(f => warehouse.LocationOf(keys.RequiredKeyOf(f.FilePath)))], parameters);
        // A deduplicating table keeps each key's latest row only: offloads after a correction each sent a version.
        var sql = $"""
            SELECT * FROM (SELECT * FROM {rows} {table.LatestRowPerKey})
            ORDER BY {table.PartitionSourceColumn}
            SETTINGS output_format_parquet_compression_method = 'zstd', output_format_parquet_string_as_string = 1
            """;
        var parquet = await clickHouse.QueryAsync(sql, parameters, "Parquet", static data => data.ToArray(), cancellationToken);
        var ids = table.ParquetFieldIds;
        var withIds = ParquetFieldIds.Assign(parquet, path => ids.TryGetValue(string.Join('.', path), out var fieldId) ? fieldId : null);
        var day = group[0].PartitionDay;
        var key = keys.NewDataFileKey(day);
        var file = DataFileMetrics.Describe(warehouse.IcebergLocationOf(key), day, withIds.Length, ParquetFooter.Read(withIds), table);
        var expected = group.Sum(f => f.RecordCount);
        if (table.ReplacingKey is null ? file.RecordCount != expected : file.RecordCount > expected || file.RecordCount == 0)
        {
            throw new InvalidOperationException($"Compacting {group.Count} files of {table.Name} ({expected} rows) gave {file.RecordCount} rows.");
        }

        await warehouse.PutAsync(key, withIds, cancellationToken);
        return file;
    }

    /// <summary>
    /// The replace snapshot on <paramref name="current"/>: untouched manifests carried over, the manifests holding a
    /// replaced file rewritten into one new manifest. Rebuilt from scratch if an offload committed in between.
    /// </summary>
    private async Task<TableMetadata?> ReplaceAsync(
        ColdTable table, WarehouseTableKeys keys, CurrentMetadata current, List<(IReadOnlyList<DataFile> Old, DataFile New)> rewrites,
        CancellationToken cancellationToken)
    {
        var metadata = current.Metadata;
        var parent = metadata.CurrentSnapshot ?? throw new TableCommitConflictException(table.Name, "the table lost its snapshot during compaction");
        var (manifests, live) = await LiveDataFile.ReadAsync(keys, parent, cancellationToken);
        var replaced = rewrites.SelectMany(r => r.Old).Select(f => f.FilePath).ToHashSet(StringComparer.Ordinal);
        var replacedLive = live.Where(f => replaced.Contains(f.Entry.DataFile.FilePath)).ToList();
        if (replacedLive.Count != replaced.Count)
        {
            throw new TableCommitConflictException(table.Name, "files chosen for compaction are no longer all live");
        }

        var rewritten = replacedLive.Select(f => f.Manifest.ManifestPath).ToHashSet(StringComparer.Ordinal);
        var snapshotId = SnapshotIds.New();
        var sequenceNumber = metadata.LastSequenceNumber + 1;
        var entries = new List<ManifestEntry>();
        entries.AddRange(rewrites.Select(r => ManifestEntry.Added(r.New)));
        entries.AddRange(replacedLive.Select(f => f.Entry with { Status = ManifestEntryStatus.Deleted, SnapshotId = snapshotId }));
        entries.AddRange(live.Where(f => rewritten.Contains(f.Manifest.ManifestPath) && !replaced.Contains(f.Entry.DataFile.FilePath))
            .Select(f => f.Entry with { Status = ManifestEntryStatus.Existing }));

        var spec = metadata.DefaultSpec;
        var manifestKey = keys.NewManifestKey();
        var manifestBytes = Encode(stream => ManifestWriter.Write(stream, new ManifestHeader(
            TableMetadataJson.WriteSchema(metadata.CurrentSchema), metadata.CurrentSchemaId,
            TableMetadataJson.WritePartitionFields(spec), metadata.DefaultSpecId,
            new DayPartitionField(spec.Fields[0].Name, spec.Fields[0].FieldId)), entries, AvroCodec.Deflate));
        await warehouse.PutAsync(manifestKey, manifestBytes, cancellationToken);
        var manifest = ManifestFile.Describe(warehouse.IcebergLocationOf(manifestKey), manifestBytes.Length, metadata.DefaultSpecId, sequenceNumber, snapshotId, entries);

        var listKey = keys.NewManifestListKey(snapshotId);
        await warehouse.PutAsync(listKey, Encode(stream => ManifestListWriter.Write(
            stream, new ManifestListHeader(snapshotId, parent.SnapshotId, sequenceNumber),
            [.. manifests.Where(m => !rewritten.Contains(m.ManifestPath)), manifest], AvroCodec.Deflate)), cancellationToken);

        var extra = parent.Summary.TryGetValue(TableOffloader.WatermarkProperty, out var watermark)
            ? new Dictionary<string, string> { [TableOffloader.WatermarkProperty] = watermark }
            : new Dictionary<string, string>();
        var news = rewrites.Select(r => r.New).ToList();
        var olds = replacedLive.Select(f => f.Entry.DataFile).ToList();
        return TableMetadataUpdates.ReplaceSnapshot(
            metadata, snapshotId, warehouse.IcebergLocationOf(listKey),
            new ReplacedFiles(news.Count, news.Sum(f => f.RecordCount), news.Sum(f => f.FileSizeInBytes),
                olds.Count, olds.Sum(f => f.RecordCount), olds.Sum(f => f.FileSizeInBytes)),
            extra, current.Location, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    private static byte[] Encode(Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        return buffer.ToArray();
    }
}

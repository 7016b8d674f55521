using System.Globalization;
using K2.Core;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Avro;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Manifests;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Parquet;
using K2.Storage.ObjectStores;
using Microsoft.Extensions.Logging;

namespace K2.Storage.Iceberg.Offload;

/// <summary>
/// Moves one hot table's new rows into its Iceberg table, exactly once. The slice is every row whose ingest time lies
/// after the watermark of the table's current snapshot and at most <see cref="OffloadOptions.SafetyLag"/> before now
/// (an insert still in flight lands within the lag), committed whole or, when large, in parts of about
/// <see cref="OffloadOptions.MaxRowsPerCommit"/> rows, each with its own watermark. Each day partition of a commit
/// becomes one Parquet file written by ClickHouse, with the Iceberg field ids put into its footer; then a manifest, a
/// manifest list, and the metadata of a snapshot whose summary carries the new watermark, committed through
/// <see cref="TableMetadataCommitter"/>. A crash before the metadata file is written leaves the previous snapshot
/// current (and unreferenced files for maintenance to remove); a crash after it is completed by the next load of the
/// table; a concurrent writer that committed first makes this offload fail with <see cref="OffloadConflictException"/>
/// before anything of it becomes visible (the next cycle takes the slice again from the new watermark). Locations in
/// the metadata are <see cref="IObjectStore.IcebergLocationOf"/>'s.
/// </summary>
public sealed partial class TableOffloader(
    IClickHouseClient hot,
    HotStoreOptions hotOptions,
    IObjectStore warehouse,
    TableMetadataCommitter committer,
    OffloadStateStore state,
    OffloadOptions options,
    TimeProvider time,
    ILogger<TableOffloader> logger)
{
    /// <summary>Snapshot summary key of the watermark: the last offloaded ingest time, in microseconds since the epoch.</summary>
    public const string WatermarkProperty = "k2.offload.watermark";

    /// <summary>Observes each step; tests use it to stop an offload at a chosen point, as a crash would.</summary>
    public Action<OffloadStep, ColdTable>? StepReached { get; set; }

    /// <summary>Creates the table (metadata with no snapshot, registered in the catalog) unless it exists.</summary>
    public Task EnsureTableAsync(ColdTable table, CancellationToken cancellationToken) => committer.RegisterAsync(
        table,
        TableMetadataUpdates.NewTable(
            table.Schema, table.PartitionSpec, committer.KeysOf(table).TableLocation, Guid.NewGuid(), time.GetUtcNow().ToUnixTimeMilliseconds(),
            new Dictionary<string, string> { ["write.parquet.compression-codec"] = "zstd", ["write.format.default"] = "parquet" }),
        cancellationToken);

    /// <summary>
    /// Offloads the table's slice up to now minus the safety lag, in commits of about
    /// <see cref="OffloadOptions.MaxRowsPerCommit"/> rows; an empty slice commits nothing. The result sums the commits
    /// and names the last snapshot.
    /// </summary>
    public async Task<OffloadResult> OffloadAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var upTo = new UnixMicros(UnixMicros.Now(time).Value - (options.SafetyLag.Ticks / TimeSpan.TicksPerMicrosecond));
        await EnsureTableAsync(table, cancellationToken);
        var total = new OffloadResult(table.Name, 0, 0, 0, null, new UnixMicros(long.MinValue), TimeSpan.Zero);
        while (true)
        {
            var commit = await OffloadNextCommitAsync(table, upTo, cancellationToken);
            total = new OffloadResult(
                table.Name, total.Rows + commit.Rows, total.Bytes + commit.Bytes, total.Files + commit.Files,
                commit.SnapshotId ?? total.SnapshotId, commit.Watermark, time.GetElapsedTime(started));
            if (commit.SnapshotId is null || commit.Watermark >= upTo)
            {
                return total;
            }
        }
    }

    /// <summary>Commits the next part of the slice up to <paramref name="upTo"/>: all of it, or about <see cref="OffloadOptions.MaxRowsPerCommit"/> rows.</summary>
    private async Task<OffloadResult> OffloadNextCommitAsync(ColdTable table, UnixMicros upTo, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var current = await committer.LoadCurrentAsync(table, cancellationToken);
        var metadata = current.Metadata;
        var from = Watermark(metadata);
        if (upTo <= from)
        {
            return new OffloadResult(table.Name, 0, 0, 0, null, from, time.GetElapsedTime(started));
        }

        upTo = await CommitBoundaryAsync(table, from, upTo, cancellationToken);
        var days = await SliceDaysAsync(table, from, upTo, cancellationToken);
        if (days.Count == 0)
        {
            return new OffloadResult(table.Name, 0, 0, 0, null, from, time.GetElapsedTime(started));
        }

        var files = new List<DataFile>();
        foreach (var day in days)
        {
            files.Add(await WriteDataFileAsync(table, from, upTo, day, cancellationToken));
        }

        StepReached?.Invoke(OffloadStep.DataFilesWritten, table);
        var keys = committer.KeysOf(table);
        var snapshotId = SnapshotIds.New();
        var sequenceNumber = metadata.LastSequenceNumber + 1;
        var entries = files.Select(ManifestEntry.Added).ToList();
        var manifestKey = keys.NewManifestKey();
        var manifestBytes = Encode(stream => ManifestWriter.Write(stream, new ManifestHeader(
            TableMetadataJson.WriteSchema(metadata.CurrentSchema), metadata.CurrentSchemaId,
            TableMetadataJson.WritePartitionFields(metadata.DefaultSpec), metadata.DefaultSpecId,
            new DayPartitionField(metadata.DefaultSpec.Fields[0].Name, metadata.DefaultSpec.Fields[0].FieldId)), entries, AvroCodec.Deflate));
        await warehouse.PutAsync(manifestKey, manifestBytes, cancellationToken);
        var manifest = ManifestFile.Describe(
            warehouse.IcebergLocationOf(manifestKey), manifestBytes.Length, metadata.DefaultSpecId, sequenceNumber, snapshotId, entries);

        IReadOnlyList<ManifestFile> parentManifests = metadata.CurrentSnapshot is { } parent
            ? ManifestListReader.Read(await keys.ReadReferencedAsync(parent.ManifestList, cancellationToken)).Manifests
            : [];
        var listKey = keys.NewManifestListKey(snapshotId);
        await warehouse.PutAsync(listKey, Encode(stream => ManifestListWriter.Write(
            stream, new ManifestListHeader(snapshotId, metadata.CurrentSnapshotId, sequenceNumber), [.. parentManifests, manifest], AvroCodec.Deflate)),
            cancellationToken);
        StepReached?.Invoke(OffloadStep.ManifestsWritten, table);

        var rows = files.Sum(f => f.RecordCount);
        var bytes = files.Sum(f => f.FileSizeInBytes);
        var next = TableMetadataUpdates.AppendSnapshot(
            metadata, snapshotId, warehouse.IcebergLocationOf(listKey), new AppendedFiles(files.Count, rows, bytes),
            new Dictionary<string, string> { [WatermarkProperty] = upTo.Value.ToString(CultureInfo.InvariantCulture) },
            current.Location, time.GetUtcNow().ToUnixTimeMilliseconds());
        // One attempt only: a slice chosen on the old watermark must not be committed on top of another's.
        if (await committer.TryCommitAsync(table, current, next, () => StepReached?.Invoke(OffloadStep.BeforeCommit, table), cancellationToken) is null)
        {
            throw new OffloadConflictException(table.Name, "another writer committed first");
        }

        StepReached?.Invoke(OffloadStep.AfterCommit, table);
        await committer.UpdateVersionHintAsync(table, cancellationToken);
        var finishedAt = UnixMicros.Now(time);
        await state.SaveWatermarkAsync(new OffloadWatermark(table.Name, upTo, "", snapshotId, finishedAt), cancellationToken);
        var result = new OffloadResult(table.Name, rows, bytes, files.Count, snapshotId, upTo, time.GetElapsedTime(started));
        LogOffloaded(logger, table.Name, rows, files.Count, bytes, upTo.ToString(), result.Duration.TotalMilliseconds);
        return result;
    }

    /// <summary>The watermark of the current snapshot; before the first offload, the start of time.</summary>
    public static UnixMicros Watermark(TableMetadata metadata) =>
        metadata.CurrentSnapshot?.Summary.TryGetValue(WatermarkProperty, out var text) == true
            ? new UnixMicros(long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture))
            : new UnixMicros(long.MinValue);

    /// <summary>
    /// <paramref name="upTo"/>, or an earlier ingest time when more than <see cref="OffloadOptions.MaxRowsPerCommit"/>
    /// rows lie between: the ingest time of the row at that position, so rows landed together stay in one commit.
    /// </summary>
    private async Task<UnixMicros> CommitBoundaryAsync(ColdTable table, UnixMicros from, UnixMicros upTo, CancellationToken cancellationToken)
    {
        var sql = $$"""
            SELECT toUnixTimestamp64Micro({{table.IngestTimeColumn}})
            FROM {{hotOptions.Database}}.{{table.HotTable}}
            WHERE {{SliceFilter(table)}}
            ORDER BY {{table.IngestTimeColumn}}
            LIMIT 1 OFFSET {offset:UInt64}
            """;
        var boundary = await hot.QueryAsync(sql, SliceParameters(from, upTo).Add("offset", options.MaxRowsPerCommit - 1), ClickHouseFormats.TabSeparated,
            static data => System.Text.Encoding.UTF8.GetString(data).Trim(), cancellationToken);
        return boundary.Length == 0 ? upTo : new UnixMicros(long.Parse(boundary, NumberStyles.Integer, CultureInfo.InvariantCulture));
    }

    private async Task<IReadOnlyList<int>> SliceDaysAsync(ColdTable table, UnixMicros from, UnixMicros upTo, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT DISTINCT toInt32(toDate({table.PartitionSourceColumn})) AS day
            FROM {hotOptions.Database}.{table.HotTable}
            WHERE {SliceFilter(table)}
            ORDER BY day
            """;
        return await hot.QueryAsync(sql, SliceParameters(from, upTo), ClickHouseFormats.TabSeparated, static data =>
            (IReadOnlyList<int>)[.. System.Text.Encoding.UTF8.GetString(data).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(d => int.Parse(d, CultureInfo.InvariantCulture))], cancellationToken);
    }

    /// <summary>Exports one day of the slice as Parquet, adds the field ids, stores it and describes it for the manifest.</summary>
    private async Task<DataFile> WriteDataFileAsync(ColdTable table, UnixMicros from, UnixMicros upTo, int day, CancellationToken cancellationToken)
    {
        // The hot table may not have merged a key's versions yet (an open candle is rewritten every second).
        var sql = $$"""
            SELECT {{table.SelectList}}
            FROM (
                SELECT * FROM {{hotOptions.Database}}.{{table.HotTable}}
                WHERE {{SliceFilter(table)}} AND toInt32(toDate({{table.PartitionSourceColumn}})) = {day:Int32}
                {{(table.OffloadsLatestRowPerKey ? table.LatestRowPerKey : "")}})
            ORDER BY {{table.PartitionSourceColumn}}
            SETTINGS output_format_parquet_compression_method = 'zstd', output_format_parquet_string_as_string = 1
            """;
        var parquet = await hot.QueryAsync(sql, SliceParameters(from, upTo).Add("day", day), "Parquet", static data => data.ToArray(), cancellationToken);
        var ids = table.ParquetFieldIds;
        var withIds = ParquetFieldIds.Assign(parquet, path => ids.TryGetValue(string.Join('.', path), out var fieldId) ? fieldId : null);
        var key = committer.KeysOf(table).NewDataFileKey(day);
        await warehouse.PutAsync(key, withIds, cancellationToken);
        return DataFileMetrics.Describe(warehouse.IcebergLocationOf(key), day, withIds.Length, ParquetFooter.Read(withIds), table);
    }

    private static string SliceFilter(ColdTable table) =>
        $"{table.IngestTimeColumn} > {{from:DateTime64(6, 'UTC')}} AND {table.IngestTimeColumn} <= {{to:DateTime64(6, 'UTC')}}"
        + (table.HotFilter is { } filter ? $" AND {filter}" : "");

    private static ClickHouseParameters SliceParameters(UnixMicros from, UnixMicros upTo) => new ClickHouseParameters()
        .Add("from", from.Value == long.MinValue ? new UnixMicros(0) : from)
        .Add("to", upTo);

    private static byte[] Encode(Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        return buffer.ToArray();
    }

    [LoggerMessage(EventId = StorageEventIds.TableOffloaded, Level = LogLevel.Information,
        Message = "Offloaded {Table}: {Rows} rows in {Files} files ({Bytes} bytes) up to {Watermark} in {Milliseconds:0} ms")]
    private static partial void LogOffloaded(ILogger logger, string table, long rows, int files, long bytes, string watermark, double milliseconds);
}

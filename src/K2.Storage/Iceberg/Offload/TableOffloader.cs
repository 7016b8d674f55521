using System.Globalization;
using K2.Core;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Avro;
using K2.Storage.Iceberg.Catalog;
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
/// <see cref="OffloadOptions.MaxRowsPerCommit"/> rows, each with its own watermark. Each day partition of a commit becomes one Parquet file written
/// by ClickHouse, with the Iceberg field ids put into its footer; then a manifest, a manifest list, and the metadata
/// file of a snapshot whose summary carries the new watermark, committed by compare-and-swap in the catalog. A crash
/// before the metadata file is written leaves the previous snapshot current (and unreferenced files for maintenance to
/// remove); a crash after it is completed by the next run, which commits that file first; a concurrent
/// offload that committed first makes this one fail with <see cref="OffloadConflictException"/> before anything of it
/// becomes visible. Locations in the metadata are <see cref="IObjectStore.IcebergLocationOf"/>'s. On a store that
/// cannot refuse an existing name each attempt names its metadata file uniquely (<see cref="MetadataFileNames"/>), so
/// a loser never overwrites or deletes the winner's file.
/// </summary>
public sealed partial class TableOffloader(
    IClickHouseClient hot,
    HotStoreOptions hotOptions,
    IObjectStore warehouse,
    SqlCatalog catalog,
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
    public async Task EnsureTableAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var id = new TableIdentifier(table.Namespace, table.Name);
        if (await catalog.LoadMetadataLocationAsync(id, cancellationToken) is not null)
        {
            return;
        }

        var metadata = TableMetadataUpdates.NewTable(
            table.Schema, table.PartitionSpec, warehouse.IcebergLocationOf(TableKey(table)), Guid.NewGuid(), time.GetUtcNow().ToUnixTimeMilliseconds(),
            new Dictionary<string, string> { ["write.parquet.compression-codec"] = "zstd", ["write.format.default"] = "parquet" });
        // With create-only puts, a process that wrote the first metadata file first has its file registered instead:
        // both name the same one. Otherwise each names its own, and the one not registered is removed.
        var key = NewMetadataKey(table, 1);
        await warehouse.PutIfAbsentAsync(key, TableMetadataJson.Write(metadata), cancellationToken);
        try
        {
            await catalog.RegisterTableAsync(id, warehouse.IcebergLocationOf(key), cancellationToken);
            await warehouse.PutAsync(VersionHintKey(table), MetadataFileNames.VersionHintFor(key), cancellationToken);
        }
        catch (IcebergCatalogException)
        {
            if (await catalog.LoadMetadataLocationAsync(id, cancellationToken) is not { } registered)
            {
                throw;
            }

            // registered concurrently by another process
            if (registered != warehouse.IcebergLocationOf(key))
            {
                await warehouse.DeleteAsync(key, cancellationToken);
            }
        }
    }

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
        var id = new TableIdentifier(table.Namespace, table.Name);
        var (metadataLocation, current) = await LoadCurrentAsync(table, id, cancellationToken);
        var from = Watermark(current);
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
        var snapshotId = SnapshotIds.New();
        var sequenceNumber = current.LastSequenceNumber + 1;
        var entries = files.Select(ManifestEntry.Added).ToList();
        var manifestKey = $"{TableKey(table)}/metadata/{Guid.NewGuid():N}-m0.avro";
        var manifestBytes = Encode(stream => ManifestWriter.Write(stream, new ManifestHeader(
            TableMetadataJson.WriteSchema(current.CurrentSchema), current.CurrentSchemaId,
            TableMetadataJson.WritePartitionFields(current.DefaultSpec), current.DefaultSpecId,
            new DayPartitionField(current.DefaultSpec.Fields[0].Name, current.DefaultSpec.Fields[0].FieldId)), entries, AvroCodec.Deflate));
        await warehouse.PutAsync(manifestKey, manifestBytes, cancellationToken);
        var manifest = ManifestFile.Describe(
            warehouse.IcebergLocationOf(manifestKey), manifestBytes.Length, current.DefaultSpecId, sequenceNumber, snapshotId, entries);

        IReadOnlyList<ManifestFile> parentManifests = current.CurrentSnapshot is { } parent
            ? ManifestListReader.Read(await ReadAsync(parent.ManifestList, cancellationToken)).Manifests
            : [];
        var listKey = $"{TableKey(table)}/metadata/snap-{snapshotId}-1-{Guid.NewGuid():N}.avro";
        await warehouse.PutAsync(listKey, Encode(stream => ManifestListWriter.Write(
            stream, new ManifestListHeader(snapshotId, current.CurrentSnapshotId, sequenceNumber), [.. parentManifests, manifest], AvroCodec.Deflate)),
            cancellationToken);
        StepReached?.Invoke(OffloadStep.ManifestsWritten, table);

        var rows = files.Sum(f => f.RecordCount);
        var bytes = files.Sum(f => f.FileSizeInBytes);
        var next = TableMetadataUpdates.AppendSnapshot(
            current, snapshotId, warehouse.IcebergLocationOf(listKey), new AppendedFiles(files.Count, rows, bytes),
            new Dictionary<string, string> { [WatermarkProperty] = upTo.Value.ToString(CultureInfo.InvariantCulture) },
            metadataLocation, time.GetUtcNow().ToUnixTimeMilliseconds());
        var version = (MetadataFileNames.VersionOf(metadataLocation) ?? 0) + 1;
        var nextKey = NewMetadataKey(table, version);
        if (!await warehouse.PutIfAbsentAsync(nextKey, TableMetadataJson.Write(next), cancellationToken))
        {
            throw new OffloadConflictException(table.Name, $"metadata version {version} was written by another offload");
        }

        StepReached?.Invoke(OffloadStep.BeforeCommit, table);
        var nextLocation = warehouse.IcebergLocationOf(nextKey);
        if (await catalog.CommitAsync(id, metadataLocation, nextLocation, cancellationToken) != CatalogCommitResult.Committed
            && await catalog.LoadMetadataLocationAsync(id, cancellationToken) != nextLocation) // another run may have committed this very file
        {
            // This attempt's own file (created by it, or named by it alone), which the catalog never referenced.
            await warehouse.DeleteAsync(nextKey, cancellationToken);
            throw new OffloadConflictException(table.Name, "the catalog moved on while this offload ran");
        }

        StepReached?.Invoke(OffloadStep.AfterCommit, table);
        // Path-based readers follow the hint; it may lag a crash by one version, which they tolerate by listing.
        await warehouse.PutAsync(VersionHintKey(table), MetadataFileNames.VersionHintFor(nextKey), cancellationToken);
        var finishedAt = UnixMicros.Now(time);
        await state.SaveWatermarkAsync(new OffloadWatermark(table.Name, upTo, "", snapshotId, finishedAt), cancellationToken);
        var result = new OffloadResult(table.Name, rows, bytes, files.Count, snapshotId, upTo, time.GetElapsedTime(started));
        LogOffloaded(logger, table.Name, rows, files.Count, bytes, upTo.ToString(), result.Duration.TotalMilliseconds);
        return result;
    }

    /// <summary>
    /// The table's current metadata. A successor metadata file that a crashed offload wrote but never committed is
    /// committed now (its data files and manifests were all written before it), so the catalog and readers that go by
    /// file names agree again; a file in its place that does not follow from the current metadata is removed, and so is
    /// any other file of the current version (an attempt that lost the commit, or stopped before removing its file):
    /// ClickHouse takes the highest version, and of two files of one version the first by name.
    /// </summary>
    private async Task<(string Location, TableMetadata Metadata)> LoadCurrentAsync(ColdTable table, TableIdentifier id, CancellationToken cancellationToken)
    {
        while (true)
        {
            var location = await catalog.LoadMetadataLocationAsync(id, cancellationToken)
                ?? throw new InvalidOperationException($"{id} is not in the catalog.");
            var metadata = TableMetadataJson.Read(await ReadAsync(location, cancellationToken));
            var version = MetadataFileNames.VersionOf(location) ?? 0;
            foreach (var sibling in await MetadataKeysAsync(table, version, cancellationToken))
            {
                if (warehouse.IcebergLocationOf(sibling) != location)
                {
                    await warehouse.DeleteAsync(sibling, cancellationToken); // its writer's commit fails: the catalog is past its base
                }
            }

            if (await FirstSuccessorAsync(table, location, version + 1, cancellationToken) is not { } successorKey)
            {
                return (location, metadata);
            }

            if (await catalog.CommitAsync(id, location, warehouse.IcebergLocationOf(successorKey), cancellationToken) == CatalogCommitResult.Committed)
            {
                await warehouse.PutAsync(VersionHintKey(table), MetadataFileNames.VersionHintFor(successorKey), cancellationToken);
                LogRolledForward(logger, table.Name, successorKey);
            }

            // else someone else moved the catalog on: load again
        }
    }

    /// <summary>
    /// The first stored metadata file of <paramref name="version"/> that follows from <paramref name="location"/>;
    /// files of that version that do not (unreadable, or based on another file) are removed on the way.
    /// </summary>
    private async Task<string?> FirstSuccessorAsync(ColdTable table, string location, int version, CancellationToken cancellationToken)
    {
        foreach (var key in await MetadataKeysAsync(table, version, cancellationToken))
        {
            if (await warehouse.GetAsync(key, cancellationToken) is not { } content)
            {
                continue; // removed since the listing
            }

            TableMetadata? next = null;
            try
            {
                next = TableMetadataJson.Read(content);
            }
            catch (IcebergMetadataException)
            {
                // unreadable: not a successor
            }

            if (next?.MetadataLog.LastOrDefault()?.MetadataFile == location)
            {
                return key;
            }

            await warehouse.DeleteAsync(key, cancellationToken);
        }

        return null;
    }

    /// <summary>
    /// The stored metadata files of <paramref name="version"/>: the one <c>v&lt;N&gt;</c> file on a store that enforces
    /// create-only puts, else every attempt's own file.
    /// </summary>
    private async Task<IReadOnlyList<string>> MetadataKeysAsync(ColdTable table, int version, CancellationToken cancellationToken)
    {
        if (version < 1)
        {
            return [];
        }

        if (warehouse.EnforcesCreateOnly)
        {
            var key = MetadataKey(table, MetadataFileNames.MetadataFile(version));
            return await warehouse.HeadAsync(key, cancellationToken) is null ? [] : [key];
        }

        var keys = new List<string>();
        await foreach (var file in warehouse.ListAsync(MetadataKey(table, MetadataFileNames.AttemptPrefix(version)), cancellationToken))
        {
            keys.Add(file.Key);
        }

        return keys;
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
            SELECT DISTINCT toInt32(toDate({PartitionSource(table)})) AS day
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
                WHERE {{SliceFilter(table)}} AND toInt32(toDate({{PartitionSource(table)}})) = {day:Int32}
                {{(table.OffloadsLatestRowPerKey ? table.LatestRowPerKey : "")}})
            ORDER BY {{PartitionSource(table)}}
            SETTINGS output_format_parquet_compression_method = 'zstd', output_format_parquet_string_as_string = 1
            """;
        var parquet = await hot.QueryAsync(sql, SliceParameters(from, upTo).Add("day", day), "Parquet", static data => data.ToArray(), cancellationToken);
        var ids = table.ParquetFieldIds;
        var withIds = ParquetFieldIds.Assign(parquet, path => ids.TryGetValue(string.Join('.', path), out var fieldId) ? fieldId : null);
        var partition = table.PartitionSpec.Fields[0].Name;
        var date = DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + day);
        var key = $"{TableKey(table)}/data/{partition}={date:yyyy-MM-dd}/{Guid.NewGuid():N}.parquet";
        await warehouse.PutAsync(key, withIds, cancellationToken);
        return DataFileMetrics.Describe(warehouse.IcebergLocationOf(key), day, withIds.Length, ParquetFooter.Read(withIds), table);
    }

    private static string SliceFilter(ColdTable table) =>
        $"{table.IngestTimeColumn} > {{from:DateTime64(6, 'UTC')}} AND {table.IngestTimeColumn} <= {{to:DateTime64(6, 'UTC')}}"
        + (table.HotFilter is { } filter ? $" AND {filter}" : "");

    private static ClickHouseParameters SliceParameters(UnixMicros from, UnixMicros upTo) => new ClickHouseParameters()
        .Add("from", from.Value == long.MinValue ? new UnixMicros(0) : from)
        .Add("to", upTo);

    private static string PartitionSource(ColdTable table) =>
        table.Schema.Fields.First(f => f.Id == table.PartitionSpec.Fields[0].SourceId).Name;

    private async Task<byte[]> ReadAsync(string location, CancellationToken cancellationToken) =>
        await warehouse.GetAsync(
            warehouse.KeyOf(location) ?? throw new InvalidOperationException($"{location} is not in this warehouse ({warehouse.IcebergLocationOf(ColdTables.Namespace)})."),
            cancellationToken)
        ?? throw new InvalidOperationException($"{location} is referenced by the table but missing from the warehouse.");

    private static string TableKey(ColdTable table) => $"{table.Namespace}/{table.Name}";

    /// <summary>The key for a new metadata file of <paramref name="version"/>: <c>v&lt;N&gt;</c>, or this attempt's own name.</summary>
    private string NewMetadataKey(ColdTable table, int version) => MetadataKey(table, warehouse.EnforcesCreateOnly
        ? MetadataFileNames.MetadataFile(version)
        : MetadataFileNames.MetadataFile(version, Guid.NewGuid()));

    private static string MetadataKey(ColdTable table, string fileName) =>
        $"{TableKey(table)}/{MetadataFileNames.MetadataDirectory}/{fileName}";

    private static string VersionHintKey(ColdTable table) =>
        $"{TableKey(table)}/{MetadataFileNames.MetadataDirectory}/{MetadataFileNames.VersionHintFile}";

    private static byte[] Encode(Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        return buffer.ToArray();
    }

    [LoggerMessage(EventId = StorageEventIds.OffloadRolledForward, Level = LogLevel.Warning,
        Message = "{Table}: committed {MetadataFile}, written by an offload that stopped before its commit")]
    private static partial void LogRolledForward(ILogger logger, string table, string metadataFile);

    [LoggerMessage(EventId = StorageEventIds.TableOffloaded, Level = LogLevel.Information,
        Message = "Offloaded {Table}: {Rows} rows in {Files} files ({Bytes} bytes) up to {Watermark} in {Milliseconds:0} ms")]
    private static partial void LogOffloaded(ILogger logger, string table, long rows, int files, long bytes, string watermark, double milliseconds);
}

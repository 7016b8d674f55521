using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;
using Microsoft.Extensions.Logging;

namespace K2.Storage.Iceberg.Commits;

/// <summary>
/// Every change to a cold table's metadata goes through here, whoever makes it (the offload, compaction, snapshot
/// expiry): the next metadata file is written where no other writer's can be (<c>v&lt;N+1&gt;</c> create-only, or a
/// name of this attempt's own on a store that cannot refuse an existing name), the catalog pointer moves to it by
/// compare-and-swap, and <c>version-hint.text</c> follows for path-based readers. A writer that loses the swap removes
/// only its own file. Loading the current metadata first completes a commit that a crashed writer left between its
/// metadata file and the swap, and removes metadata files no commit can take any more, so the catalog and readers
/// that go by file names agree.
/// </summary>
public sealed partial class TableMetadataCommitter(IObjectStore warehouse, SqlCatalog catalog, ILogger<TableMetadataCommitter> logger)
{
    /// <summary>How often <see cref="CommitAsync"/> rebuilds a change that lost the swap before it gives up.</summary>
    public const int Attempts = 5;

    public WarehouseTableKeys KeysOf(ColdTable table) => new(warehouse, table);

    /// <summary>
    /// Registers <paramref name="first"/> as the table's first metadata unless the table is in the catalog already;
    /// of two processes registering at once one wins and the other's file is removed.
    /// </summary>
    public async Task RegisterAsync(ColdTable table, TableMetadata first, CancellationToken cancellationToken)
    {
        var id = Identifier(table);
        if (await catalog.LoadMetadataLocationAsync(id, cancellationToken) is not null)
        {
            return;
        }

        var keys = KeysOf(table);
        // With create-only puts, whoever wrote the first file first has its file registered: both name the same one.
        var key = keys.NewMetadataKey(1);
        await warehouse.PutIfAbsentAsync(key, TableMetadataJson.Write(first), cancellationToken);
        try
        {
            await catalog.RegisterTableAsync(id, warehouse.IcebergLocationOf(key), cancellationToken);
            await warehouse.PutAsync(keys.VersionHintKey, MetadataFileNames.VersionHintFor(key), cancellationToken);
        }
        catch (IcebergCatalogException)
        {
            if (await catalog.LoadMetadataLocationAsync(id, cancellationToken) is not { } registered)
            {
                throw;
            }

            if (registered != warehouse.IcebergLocationOf(key)) // registered concurrently by another process
            {
                await warehouse.DeleteAsync(key, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The metadata the table's catalog entry points at, after completing a crashed writer's commit: a stored
    /// successor (a file of the next version based on the current one; its data files and manifests were all written
    /// before it) is committed, and a file in its place that is not based on the current one is removed, as is any
    /// other file of the current version (an attempt that lost the swap and stopped before removing its file):
    /// ClickHouse reads the highest version, and of two files of one version the first by name.
    /// </summary>
    /// <exception cref="InvalidOperationException">The table is not in the catalog, or its metadata file is missing.</exception>
    public async Task<CurrentMetadata> LoadCurrentAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var id = Identifier(table);
        var keys = KeysOf(table);
        while (true)
        {
            var location = await catalog.LoadMetadataLocationAsync(id, cancellationToken)
                ?? throw new InvalidOperationException($"{id} is not in the catalog.");
            var current = new CurrentMetadata(location, TableMetadataJson.Read(await keys.ReadReferencedAsync(location, cancellationToken)));
            foreach (var sibling in await keys.MetadataKeysAsync(current.Version, cancellationToken))
            {
                if (warehouse.IcebergLocationOf(sibling) != location)
                {
                    await warehouse.DeleteAsync(sibling, cancellationToken); // its writer's swap fails: the catalog is past its base
                    LogStaleFileRemoved(logger, table.Name, sibling);
                }
            }

            if (await FirstSuccessorAsync(table, keys, current, cancellationToken) is not { } successorKey)
            {
                return current;
            }

            if (await catalog.CommitAsync(id, location, warehouse.IcebergLocationOf(successorKey), cancellationToken) == CatalogCommitResult.Committed)
            {
                await warehouse.PutAsync(keys.VersionHintKey, MetadataFileNames.VersionHintFor(successorKey), cancellationToken);
                LogRolledForward(logger, table.Name, successorKey);
            }

            // else another writer moved the catalog on: load again
        }
    }

    /// <summary>
    /// Writes <paramref name="next"/> (built on <paramref name="current"/>) as the next metadata file and swaps the
    /// catalog to it; <paramref name="written"/> runs between the two. Returns the new current metadata, or null when
    /// another writer committed first (this attempt's file is then removed). The version hint is left to
    /// <see cref="UpdateVersionHintAsync"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="next"/> does not name <paramref name="current"/> last in its metadata-log.</exception>
    public async Task<CurrentMetadata?> TryCommitAsync(
        ColdTable table, CurrentMetadata current, TableMetadata next, Action? written, CancellationToken cancellationToken)
    {
        // A concurrent load takes a next-version file by that entry and removes one without it, which could be this
        // file between its write and the swap: the catalog would then point at a removed file.
        if (next.MetadataLog.LastOrDefault()?.MetadataFile != current.Location)
        {
            throw new ArgumentException($"The next metadata of {table.Name} must name {current.Location} last in its metadata-log.", nameof(next));
        }

        var id = Identifier(table);
        var nextKey = KeysOf(table).NewMetadataKey(current.Version + 1);
        if (!await warehouse.PutIfAbsentAsync(nextKey, TableMetadataJson.Write(next), cancellationToken))
        {
            return null; // another writer has this version
        }

        written?.Invoke();
        var nextLocation = warehouse.IcebergLocationOf(nextKey);
        if (await catalog.CommitAsync(id, current.Location, nextLocation, cancellationToken) != CatalogCommitResult.Committed
            && !await WasCommittedAsync(table, nextLocation, cancellationToken))
        {
            await warehouse.DeleteAsync(nextKey, cancellationToken); // this attempt's own file, never referenced
            LogCommitLost(logger, table.Name, nextKey);
            return null;
        }

        return new CurrentMetadata(nextLocation, next);
    }

    /// <summary>
    /// Whether <paramref name="location"/> was committed although this writer's swap failed: a concurrent load may
    /// have committed this very file, and another writer may even have committed on top of it since.
    /// </summary>
    private async Task<bool> WasCommittedAsync(ColdTable table, string location, CancellationToken cancellationToken)
    {
        if (await catalog.LoadMetadataLocationAsync(Identifier(table), cancellationToken) is not { } now)
        {
            return false;
        }

        return now == location
            || TableMetadataJson.Read(await KeysOf(table).ReadReferencedAsync(now, cancellationToken)).MetadataLog.Any(e => e.MetadataFile == location);
    }

    /// <summary>
    /// Points <c>version-hint.text</c> at the table's current metadata, which may be newer than what the caller
    /// committed. Reading the catalog and writing the hint are not one step, so two writers updating it at once can
    /// leave it a version behind until the next commit; path-based readers tolerate that.
    /// </summary>
    public async Task UpdateVersionHintAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var location = await catalog.LoadMetadataLocationAsync(Identifier(table), cancellationToken)
            ?? throw new InvalidOperationException($"{Identifier(table)} is not in the catalog.");
        await warehouse.PutAsync(KeysOf(table).VersionHintKey, MetadataFileNames.VersionHintFor(location), cancellationToken);
    }

    /// <summary>
    /// Builds the next metadata from the current one with <paramref name="build"/> (null: nothing to commit) and
    /// commits it; when another writer commits first, <paramref name="build"/> runs again on the newer metadata.
    /// Returns what was committed, or null when <paramref name="build"/> found nothing to do.
    /// </summary>
    /// <exception cref="TableCommitConflictException">Other writers committed first <see cref="Attempts"/> times.</exception>
    public async Task<CurrentMetadata?> CommitAsync(
        ColdTable table, Func<CurrentMetadata, CancellationToken, Task<TableMetadata?>> build, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var current = await LoadCurrentAsync(table, cancellationToken);
            if (await build(current, cancellationToken) is not { } next)
            {
                return null;
            }

            if (await TryCommitAsync(table, current, next, null, cancellationToken) is { } committed)
            {
                await UpdateVersionHintAsync(table, cancellationToken);
                return committed;
            }
        }

        throw new TableCommitConflictException(table.Name, $"other writers committed first {Attempts} times");
    }

    /// <summary>
    /// The first stored metadata file of the next version that is based on <paramref name="current"/>; files of that
    /// version that are not (unreadable, or based on another file) are removed on the way.
    /// </summary>
    private async Task<string?> FirstSuccessorAsync(ColdTable table, WarehouseTableKeys keys, CurrentMetadata current, CancellationToken cancellationToken)
    {
        foreach (var key in await keys.MetadataKeysAsync(current.Version + 1, cancellationToken))
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

            if (next?.MetadataLog.LastOrDefault()?.MetadataFile == current.Location)
            {
                return key;
            }

            await warehouse.DeleteAsync(key, cancellationToken);
            LogStaleFileRemoved(logger, table.Name, key);
        }

        return null;
    }

    private static TableIdentifier Identifier(ColdTable table) => new(table.Namespace, table.Name);

    [LoggerMessage(EventId = StorageEventIds.MetadataCommitLost, Level = LogLevel.Information,
        Message = "{Table}: another writer committed first; removed this attempt's {MetadataFile}")]
    private static partial void LogCommitLost(ILogger logger, string table, string metadataFile);

    [LoggerMessage(EventId = StorageEventIds.MetadataFileRemoved, Level = LogLevel.Information,
        Message = "{Table}: removed {MetadataFile}, which no commit can take any more")]
    private static partial void LogStaleFileRemoved(ILogger logger, string table, string metadataFile);

    [LoggerMessage(EventId = StorageEventIds.MetadataRolledForward, Level = LogLevel.Warning,
        Message = "{Table}: committed {MetadataFile}, written by a writer that stopped before its commit")]
    private static partial void LogRolledForward(ILogger logger, string table, string metadataFile);
}

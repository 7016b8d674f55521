using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;
using Microsoft.Extensions.Logging;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>
/// Commits a maintenance change the way the offload commits a snapshot: the next metadata file <c>v&lt;N+1&gt;</c> is
/// written create-only, the catalog pointer moves to it by compare-and-swap, then the version hint follows. A writer
/// that got there first (an offload) makes the change be rebuilt on the new current metadata and tried again. A
/// successor file a crashed offload left behind is committed first, as the offload's next run would do; one that
/// does not follow from the current metadata is left for the offload to remove, and the commit gives up.
/// </summary>
public sealed partial class MetadataCommitter(IObjectStore warehouse, SqlCatalog catalog, ILogger<MetadataCommitter> logger)
{
    private const int Attempts = 5;

    /// <summary>The metadata the table's catalog entry points at now.</summary>
    /// <exception cref="InvalidOperationException">The table is not in the catalog, or its metadata file is missing.</exception>
    public async Task<CurrentMetadata> LoadCurrentAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var id = new TableIdentifier(table.Namespace, table.Name);
        var location = await catalog.LoadMetadataLocationAsync(id, cancellationToken)
            ?? throw new InvalidOperationException($"{id} is not in the catalog.");
        var keys = new WarehouseTableKeys(warehouse, table);
        return new CurrentMetadata(location, TableMetadataJson.Read(await keys.ReadReferencedAsync(location, cancellationToken)));
    }

    /// <summary>
    /// Builds the next metadata from the current one with <paramref name="build"/> (null: nothing to commit) and
    /// commits it; on a lost race <paramref name="build"/> is called again with the newer current metadata. Returns
    /// what was committed, or null when <paramref name="build"/> found nothing to do.
    /// </summary>
    /// <exception cref="MaintenanceConflictException">Other writers kept committing first, or an unrelated metadata file holds the next version.</exception>
    public async Task<CurrentMetadata?> CommitAsync(
        ColdTable table, Func<CurrentMetadata, CancellationToken, Task<TableMetadata?>> build, CancellationToken cancellationToken)
    {
        var id = new TableIdentifier(table.Namespace, table.Name);
        var keys = new WarehouseTableKeys(warehouse, table);
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            var current = await LoadCurrentAsync(table, cancellationToken);
            var nextKey = keys.MetadataKey(current.Version + 1);
            if (await warehouse.GetAsync(nextKey, cancellationToken) is { } successor)
            {
                await RollForwardAsync(table, id, keys, current, nextKey, successor, cancellationToken);
                continue;
            }

            if (await build(current, cancellationToken) is not { } next)
            {
                return null;
            }

            if (!await warehouse.PutIfAbsentAsync(nextKey, TableMetadataJson.Write(next), cancellationToken))
            {
                continue; // an offload wrote this version meanwhile
            }

            var nextLocation = warehouse.IcebergLocationOf(nextKey);
            if (await catalog.CommitAsync(id, current.Location, nextLocation, cancellationToken) != CatalogCommitResult.Committed
                && await catalog.LoadMetadataLocationAsync(id, cancellationToken) != nextLocation)
            {
                await warehouse.DeleteAsync(nextKey, cancellationToken);
                continue;
            }

            await warehouse.PutAsync(keys.VersionHintKey, MetadataFileNames.VersionHint(current.Version + 1), cancellationToken);
            return new CurrentMetadata(nextLocation, next);
        }

        throw new MaintenanceConflictException(table.Name, $"other writers committed first {Attempts} times");
    }

    /// <summary>Commits a successor a crashed offload wrote (its files were all written before it), or refuses to pass one that is not.</summary>
    private async Task RollForwardAsync(
        ColdTable table, TableIdentifier id, WarehouseTableKeys keys, CurrentMetadata current, string successorKey, byte[] successor,
        CancellationToken cancellationToken)
    {
        TableMetadata? next = null;
        try
        {
            next = TableMetadataJson.Read(successor);
        }
        catch (IcebergMetadataException)
        {
            // unreadable: not a successor
        }

        if (next?.MetadataLog.LastOrDefault()?.MetadataFile != current.Location)
        {
            throw new MaintenanceConflictException(table.Name, $"{successorKey} does not follow the current metadata; the next offload removes it");
        }

        await catalog.CommitAsync(id, current.Location, warehouse.IcebergLocationOf(successorKey), cancellationToken); // a conflict means someone else did
        await warehouse.PutAsync(keys.VersionHintKey, MetadataFileNames.VersionHint(current.Version + 1), cancellationToken);
        LogRolledForward(logger, table.Name, successorKey);
    }

    [LoggerMessage(EventId = StorageEventIds.MaintenanceRolledForward, Level = LogLevel.Warning,
        Message = "{Table}: committed {MetadataFile}, written by an offload that stopped before its commit")]
    private static partial void LogRolledForward(ILogger logger, string table, string metadataFile);
}

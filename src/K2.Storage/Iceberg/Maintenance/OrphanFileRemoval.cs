using K2.Storage.Iceberg.Manifests;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>
/// Deletes the objects under a cold table's prefix that nothing live references: data files, manifests and manifest
/// lists of no snapshot in the current metadata, and metadata files that are neither current nor in its
/// <c>metadata-log</c>. Kept regardless: the version hint, the successor <c>v&lt;N+1&gt;</c> of the current metadata
/// file with everything its snapshots reference (a crashed offload's commit, which its next run completes), and any
/// object younger than <see cref="MaintenanceOptions.OrphanGracePeriod"/> (an offload or compaction may be writing
/// it now). If a referenced file cannot be read, nothing is deleted: an incomplete picture would delete live data.
/// </summary>
public sealed class OrphanFileRemoval(
    IObjectStore warehouse, MetadataCommitter committer, MaintenanceOptions options, TimeProvider time, MaintenanceMetrics metrics)
{
    /// <summary>Removes the table's orphan files; returns how many were deleted.</summary>
    public async Task<int> RemoveAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var keys = new WarehouseTableKeys(warehouse, table);
        var cutoff = time.GetUtcNow() - options.OrphanGracePeriod;
        var candidates = new List<string>();
        await foreach (var info in warehouse.ListAsync(keys.Prefix, cancellationToken))
        {
            if (info.LastModified < cutoff)
            {
                candidates.Add(info.Key);
            }
        }

        if (candidates.Count == 0)
        {
            return 0;
        }

        // Read after listing: whatever was committed before the listing is seen as referenced.
        var referenced = await ReferencedKeysAsync(table, keys, cancellationToken);
        var removed = 0;
        foreach (var key in candidates.Where(k => !referenced.Contains(k)))
        {
            await warehouse.DeleteAsync(key, cancellationToken);
            removed++;
        }

        metrics.FilesRemoved.Add(removed, new KeyValuePair<string, object?>("table", table.Name));
        return removed;
    }

    private async Task<HashSet<string>> ReferencedKeysAsync(ColdTable table, WarehouseTableKeys keys, CancellationToken cancellationToken)
    {
        var current = await committer.LoadCurrentAsync(table, cancellationToken);
        var referenced = new HashSet<string>(StringComparer.Ordinal) { keys.VersionHintKey, keys.RequiredKeyOf(current.Location) };
        var versions = new List<TableMetadata> { current.Metadata };
        var successorKey = keys.MetadataKey(current.Version + 1);
        if (await warehouse.GetAsync(successorKey, cancellationToken) is { } successor)
        {
            referenced.Add(successorKey);
            try
            {
                versions.Add(TableMetadataJson.Read(successor));
            }
            catch (IcebergMetadataException)
            {
                // not a successor after all; the offload removes it
            }
        }

        var manifestsSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metadata in versions)
        {
            foreach (var logged in metadata.MetadataLog)
            {
                AddIfInWarehouse(referenced, keys, logged.MetadataFile);
            }

            foreach (var snapshot in metadata.Snapshots)
            {
                referenced.Add(keys.RequiredKeyOf(snapshot.ManifestList));
                var list = ManifestListReader.Read(await keys.ReadReferencedAsync(snapshot.ManifestList, cancellationToken));
                foreach (var manifest in list.Manifests.Where(m => manifestsSeen.Add(m.ManifestPath)))
                {
                    referenced.Add(keys.RequiredKeyOf(manifest.ManifestPath));
                    var entries = ManifestReader.Read(await keys.ReadReferencedAsync(manifest.ManifestPath, cancellationToken)).Entries;
                    foreach (var entry in entries.Where(e => e.Status != ManifestEntryStatus.Deleted))
                    {
                        referenced.Add(keys.RequiredKeyOf(entry.DataFile.FilePath));
                    }
                }
            }
        }

        return referenced;
    }

    /// <summary>Old metadata files may have been written elsewhere (a table moved in); only ones in this warehouse matter here.</summary>
    private static void AddIfInWarehouse(HashSet<string> referenced, WarehouseTableKeys keys, string location)
    {
        if (keys.KeyOf(location) is { } key)
        {
            referenced.Add(key);
        }
    }
}

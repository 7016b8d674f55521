using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Manifests;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>
/// Deletes the objects under a cold table's prefix that nothing live references: data files, manifests and manifest
/// lists of no snapshot in the current metadata, and metadata files that are neither current nor in its
/// <c>metadata-log</c>. A commit a crashed writer left half done is completed first (by loading the current metadata),
/// so its files count as referenced. Kept regardless: the version hint, and any object younger than <see cref="MaintenanceOptions.OrphanGracePeriod"/> (an offload or compaction may be writing
/// it now). If a referenced file cannot be read, nothing is deleted: an incomplete picture would delete live data.
/// </summary>
public sealed class OrphanFileRemoval(
    IObjectStore warehouse, TableMetadataCommitter committer, MaintenanceOptions options, TimeProvider time, MaintenanceMetrics metrics)
{
    /// <summary>Removes the table's orphan files; returns how many were deleted.</summary>
    public async Task<int> RemoveAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var keys = committer.KeysOf(table);
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
        var manifestsSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var logged in current.Metadata.MetadataLog)
        {
            AddIfInWarehouse(referenced, keys, logged.MetadataFile);
        }

        foreach (var snapshot in current.Metadata.Snapshots)
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

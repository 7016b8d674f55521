using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Manifests;
using K2.Storage.Iceberg.Metadata;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>A data file the current snapshot reads, its entry completed by inheritance, and the manifest that lists it.</summary>
public sealed record LiveDataFile(ManifestFile Manifest, ManifestEntry Entry)
{
    /// <summary>Every file <paramref name="snapshot"/> reads (entries not DELETED), read from its manifest list and manifests.</summary>
    public static async Task<(IReadOnlyList<ManifestFile> Manifests, IReadOnlyList<LiveDataFile> Files)> ReadAsync(
        WarehouseTableKeys keys, Snapshot snapshot, CancellationToken cancellationToken)
    {
        var manifests = ManifestListReader.Read(await keys.ReadReferencedAsync(snapshot.ManifestList, cancellationToken)).Manifests;
        var files = new List<LiveDataFile>();
        foreach (var manifest in manifests)
        {
            var entries = ManifestReader.Read(await keys.ReadReferencedAsync(manifest.ManifestPath, cancellationToken)).Entries;
            files.AddRange(entries.Where(e => e.Status != ManifestEntryStatus.Deleted).Select(e => new LiveDataFile(manifest, e.InheritFrom(manifest))));
        }

        return (manifests, files);
    }
}

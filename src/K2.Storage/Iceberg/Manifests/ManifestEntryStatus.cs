namespace K2.Storage.Iceberg.Manifests;

/// <summary>manifest_entry.status (field 0): how the entry's file relates to the snapshot that wrote the manifest.</summary>
public enum ManifestEntryStatus
{
    Existing = 0,
    Added = 1,
    Deleted = 2,
}

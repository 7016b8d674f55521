namespace K2.Storage.Iceberg.Catalog;

/// <summary>How a compare-and-swap of a table's metadata pointer ended.</summary>
public enum CatalogCommitResult
{
    /// <summary>The table now points at the new metadata file.</summary>
    Committed,

    /// <summary>
    /// The table no longer pointed at the expected file (another writer committed first, or the table is gone):
    /// nothing changed; reload, rebuild the metadata on the new current version and retry.
    /// </summary>
    Conflict,
}

using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>
/// Where one cold table's objects live in the warehouse, and the way back from a location written into its metadata
/// to the key in the store (the offload writes locations as <see cref="IObjectStore.IcebergLocationOf"/> gives them).
/// </summary>
public sealed class WarehouseTableKeys(IObjectStore warehouse, ColdTable table)
{
    /// <summary>The key prefix of every object of the table, ending in <c>/</c>.</summary>
    public string Prefix { get; } = $"{table.Namespace}/{table.Name}/";

    public string MetadataKey(int version) => $"{Prefix}{MetadataFileNames.MetadataDirectory}/{MetadataFileNames.MetadataFile(version)}";

    public string VersionHintKey => $"{Prefix}{MetadataFileNames.MetadataDirectory}/{MetadataFileNames.VersionHintFile}";

    /// <summary>The key of a location in this warehouse, or null for a location elsewhere.</summary>
    public string? KeyOf(string location) => warehouse.KeyOf(location);

    /// <summary>The key of a location the table's metadata references, which must be in this warehouse.</summary>
    public string RequiredKeyOf(string location) =>
        KeyOf(location) ?? throw new InvalidOperationException($"{location} is not in this warehouse ({warehouse.IcebergLocationOf(ColdTables.Namespace)}).");

    /// <summary>The bytes of an object the table's metadata references; a missing one is an error, never an empty table.</summary>
    public async Task<byte[]> ReadReferencedAsync(string location, CancellationToken cancellationToken) =>
        await warehouse.GetAsync(RequiredKeyOf(location), cancellationToken)
        ?? throw new InvalidOperationException($"{location} is referenced by {table.Namespace}.{table.Name} but missing from the warehouse.");
}

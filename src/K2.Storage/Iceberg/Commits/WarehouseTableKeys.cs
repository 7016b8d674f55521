using System.Globalization;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;

namespace K2.Storage.Iceberg.Commits;

/// <summary>
/// Where one cold table's objects live in the warehouse, and the way back from a location written into its metadata
/// to the key in the store (metadata holds locations as <see cref="IObjectStore.IcebergLocationOf"/> gives them).
/// </summary>
public sealed class WarehouseTableKeys(IObjectStore warehouse, ColdTable table)
{
    /// <summary>The key prefix of every object of the table, ending in <c>/</c>.</summary>
    public string Prefix { get; } = $"{table.Namespace}/{table.Name}/";

    /// <summary>The table's location (no trailing <c>/</c>), as its metadata records it.</summary>
    public string TableLocation => warehouse.IcebergLocationOf(Prefix.TrimEnd('/'));

    public string VersionHintKey => MetadataKey(MetadataFileNames.VersionHintFile);

    /// <summary>The key of a file in the table's <c>metadata/</c> folder.</summary>
    public string MetadataKey(string fileName) => $"{Prefix}{MetadataFileNames.MetadataDirectory}/{fileName}";

    /// <summary>A new data file's key, in the folder of its day partition (<c>=null</c> for a null day).</summary>
    public string NewDataFileKey(int? partitionDay)
    {
        var day = partitionDay is { } d
            ? DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : "null";
        return $"{Prefix}data/{table.PartitionSpec.Fields[0].Name}={day}/{Guid.NewGuid():N}.parquet";
    }

    /// <summary>A new manifest's key, <c>&lt;uuid&gt;-m0.avro</c> as Iceberg names them.</summary>
    public string NewManifestKey() => MetadataKey($"{Guid.NewGuid():N}-m0.avro");

    /// <summary>A new manifest list's key, <c>snap-&lt;snapshot id&gt;-1-&lt;uuid&gt;.avro</c> as Iceberg names them.</summary>
    public string NewManifestListKey(long snapshotId) =>
        MetadataKey(string.Create(CultureInfo.InvariantCulture, $"snap-{snapshotId}-1-{Guid.NewGuid():N}.avro"));

    /// <summary>
    /// The key for a new metadata file of <paramref name="version"/>: <c>v&lt;N&gt;</c> on a store that refuses an
    /// existing name, else a name of this attempt's own (<see cref="MetadataFileNames.MetadataFile(int, Guid)"/>).
    /// </summary>
    public string NewMetadataKey(int version) => MetadataKey(warehouse.EnforcesCreateOnly
        ? MetadataFileNames.MetadataFile(version)
        : MetadataFileNames.MetadataFile(version, Guid.NewGuid()));

    /// <summary>
    /// The stored metadata files of <paramref name="version"/>: the one <c>v&lt;N&gt;</c> file on a store that refuses
    /// an existing name, else every attempt's own.
    /// </summary>
    public async Task<IReadOnlyList<string>> MetadataKeysAsync(int version, CancellationToken cancellationToken)
    {
        if (version < 1)
        {
            return [];
        }

        if (warehouse.EnforcesCreateOnly)
        {
            var key = MetadataKey(MetadataFileNames.MetadataFile(version));
            return await warehouse.HeadAsync(key, cancellationToken) is null ? [] : [key];
        }

        var keys = new List<string>();
        await foreach (var file in warehouse.ListAsync(MetadataKey(MetadataFileNames.AttemptPrefix(version)), cancellationToken))
        {
            keys.Add(file.Key);
        }

        return keys;
    }

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

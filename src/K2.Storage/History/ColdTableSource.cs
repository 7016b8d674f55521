using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.ObjectStores;

namespace K2.Storage.History;

/// <summary>
/// Where ClickHouse reads a cold table from: its own Iceberg reader, pinned to the metadata file the catalog points at
/// (<c>iceberg_metadata_file_path</c>, given relative to the table directory). Unpinned, the reader takes the
/// highest-numbered metadata file it finds, which may be a commit attempt that lost the catalog's compare-and-swap.
/// A local warehouse is read with <c>icebergLocal</c> (chDB reads only below its working directory, as the default
/// <c>data/warehouse</c> is; anything else fails with PATH_ACCESS_DENIED), an S3 one with <c>icebergS3</c> at the
/// store's endpoint, signed with <see cref="S3WarehouseOptions"/>' keys when they are set (else the server's own
/// credentials apply).
/// </summary>
public sealed class ColdTableSource(SqlCatalog catalog, IObjectStore warehouse, S3WarehouseOptions? s3)
{
    private volatile bool _catalogReady;

    /// <summary>
    /// The table function that reads <paramref name="table"/> as of the catalog's current metadata, its values added
    /// to <paramref name="parameters"/> (never spliced into the SQL); null when the table is not in the catalog yet
    /// (nothing was ever offloaded to it).
    /// </summary>
    public async Task<string?> TableFunctionAsync(ColdTable table, ClickHouseParameters parameters, CancellationToken cancellationToken) =>
        (await ReadAsync(table, parameters, cancellationToken))?.Function;

    /// <summary>
    /// <see cref="TableFunctionAsync"/> with the snapshot it reads: the metadata file it is pinned to, which changes
    /// only when a commit (offload or maintenance) moves the catalog.
    /// </summary>
    public async Task<ColdTableRead?> ReadAsync(ColdTable table, ClickHouseParameters parameters, CancellationToken cancellationToken)
    {
        if (!_catalogReady)
        {
            // A read before the first offload finds the catalog's tables missing; creating them (idempotent, as every
            // other user of the state database does) makes that "no cold table yet" rather than an error.
            await catalog.CreateTablesAsync(cancellationToken);
            _catalogReady = true;
        }

        if (await catalog.LoadMetadataLocationAsync(new TableIdentifier(table.Namespace, table.Name), cancellationToken) is not { } metadataLocation)
        {
            return null;
        }

        var keys = new WarehouseTableKeys(warehouse, table);
        var metadataKey = keys.RequiredKeyOf(metadataLocation);
        if (!metadataKey.StartsWith(keys.Prefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The catalog points {table.Namespace}.{table.Name} at {metadataLocation}, outside the table's own directory.");
        }

        var tableLocation = warehouse.LocationOf(keys.Prefix.TrimEnd('/'));
        parameters.Add("cold_table", tableLocation).Add("cold_metadata", metadataKey[keys.Prefix.Length..]);
        const string Pin = "SETTINGS iceberg_metadata_file_path = {cold_metadata:String}";
        if (!tableLocation.StartsWith("http://", StringComparison.Ordinal) && !tableLocation.StartsWith("https://", StringComparison.Ordinal))
        {
            var workingDirectory = Path.TrimEndingDirectorySeparator(Environment.CurrentDirectory) + Path.DirectorySeparatorChar;
            if (!tableLocation.StartsWith(workingDirectory, StringComparison.Ordinal))
            {
                // Said here, in words, rather than as the engine's PATH_ACCESS_DENIED on every read.
                throw new InvalidOperationException(
                    $"{table.Namespace}.{table.Name} lies at {tableLocation}, outside the working directory {workingDirectory}: ClickHouse's " +
                    "icebergLocal reads a local warehouse only below it. Start K2 from a directory that contains the warehouse (the data directory or its parent).");
            }

            return new ColdTableRead($"icebergLocal({{cold_table:String}}, {Pin})", metadataLocation);
        }

        if (s3 is { AccessKey.Length: > 0 } credentials)
        {
            parameters.Add("cold_access_key", credentials.AccessKey).Add("cold_secret_key", credentials.SecretKey);
            return new ColdTableRead($"icebergS3({{cold_table:String}}, {{cold_access_key:String}}, {{cold_secret_key:String}}, {Pin})", metadataLocation);
        }

        return new ColdTableRead($"icebergS3({{cold_table:String}}, {Pin})", metadataLocation);
    }
}

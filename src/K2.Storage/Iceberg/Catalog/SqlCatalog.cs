using System.Data.Common;

namespace K2.Storage.Iceberg.Catalog;

/// <summary>
/// An Iceberg catalog in a SQL database with the JDBC catalog's tables: SQLite in embedded mode, PostgreSQL in a
/// cluster (any ADO.NET <see cref="DbDataSource"/> whose SQL accepts <c>@name</c> parameters and
/// <c>ON CONFLICT</c>). A table row points at its current metadata file; a commit moves that pointer by
/// compare-and-swap, so of two writers that started from the same version exactly one wins.
/// </summary>
public sealed class SqlCatalog(DbDataSource dataSource, string catalogName)
{
    /// <summary>The JDBC catalog's marker that a namespace exists (it has no properties otherwise).</summary>
    private const string NamespaceExistsProperty = "exists";

    /// <summary>Rows written by catalogs that predate <c>iceberg_type</c> are tables too.</summary>
    private const string IsTable = "(iceberg_type = 'TABLE' OR iceberg_type IS NULL)";

    public string Name { get; } = catalogName;

    /// <summary>Creates the catalog and state tables if missing.</summary>
    public Task CreateTablesAsync(CancellationToken cancellationToken) => CatalogDatabase.CreateTablesAsync(dataSource, cancellationToken);

    /// <summary>Creates <paramref name="ns"/> if it does not exist yet.</summary>
    public Task CreateNamespaceAsync(string ns, CancellationToken cancellationToken) =>
        SqlCommands.ExecuteAsync(dataSource,
            "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES (@c, @ns, @key, 'true') ON CONFLICT DO NOTHING",
            cancellationToken, ("c", Name), ("ns", ns), ("key", NamespaceExistsProperty));

    /// <summary>Every namespace that holds a table or was created, in name order.</summary>
    public async Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken) =>
        await SqlCommands.QueryAsync(dataSource,
            "SELECT namespace FROM iceberg_namespace_properties WHERE catalog_name = @c UNION SELECT table_namespace FROM iceberg_tables WHERE catalog_name = @c ORDER BY 1",
            r => r.GetString(0), cancellationToken, ("c", Name));

    /// <summary>Adds <paramref name="table"/>, pointing at its first metadata file.</summary>
    /// <exception cref="IcebergCatalogException">The table is already registered, or its namespace does not exist.</exception>
    public async Task RegisterTableAsync(TableIdentifier table, string metadataLocation, CancellationToken cancellationToken)
    {
        if (!(await ListNamespacesAsync(cancellationToken)).Contains(table.Namespace, StringComparer.Ordinal))
        {
            throw new IcebergCatalogException($"Namespace '{table.Namespace}' does not exist in catalog '{Name}'; create it first.");
        }

        var inserted = await SqlCommands.ExecuteAsync(dataSource,
            "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type) " +
            "VALUES (@c, @ns, @t, @location, NULL, 'TABLE') ON CONFLICT DO NOTHING",
            cancellationToken, ("c", Name), ("ns", table.Namespace), ("t", table.Name), ("location", metadataLocation));
        if (inserted == 0)
        {
            throw new IcebergCatalogException($"Table {table} is already registered in catalog '{Name}'.");
        }
    }

    /// <summary>The table's current metadata file, or null when the table is not registered.</summary>
    public async Task<string?> LoadMetadataLocationAsync(TableIdentifier table, CancellationToken cancellationToken)
    {
        var rows = await SqlCommands.QueryAsync(dataSource,
            $"SELECT metadata_location FROM iceberg_tables WHERE catalog_name = @c AND table_namespace = @ns AND table_name = @t AND {IsTable}",
            r => SqlCommands.NullableString(r, 0), cancellationToken, ("c", Name), ("ns", table.Namespace), ("t", table.Name));
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>
    /// Points <paramref name="table"/> at <paramref name="newMetadataLocation"/> if it still points at
    /// <paramref name="expectedMetadataLocation"/>, recording the latter as the previous location.
    /// </summary>
    public async Task<CatalogCommitResult> CommitAsync(
        TableIdentifier table, string expectedMetadataLocation, string newMetadataLocation, CancellationToken cancellationToken)
    {
        var updated = await SqlCommands.ExecuteAsync(dataSource,
            "UPDATE iceberg_tables SET metadata_location = @new, previous_metadata_location = @old " +
            $"WHERE catalog_name = @c AND table_namespace = @ns AND table_name = @t AND metadata_location = @old AND {IsTable}",
            cancellationToken, ("new", newMetadataLocation), ("old", expectedMetadataLocation), ("c", Name), ("ns", table.Namespace), ("t", table.Name));
        return updated == 1 ? CatalogCommitResult.Committed : CatalogCommitResult.Conflict;
    }

    /// <summary>The tables of <paramref name="ns"/>, in name order.</summary>
    public async Task<IReadOnlyList<TableIdentifier>> ListTablesAsync(string ns, CancellationToken cancellationToken) =>
        await SqlCommands.QueryAsync(dataSource,
            $"SELECT table_name FROM iceberg_tables WHERE catalog_name = @c AND table_namespace = @ns AND {IsTable} ORDER BY table_name",
            r => new TableIdentifier(ns, r.GetString(0)), cancellationToken, ("c", Name), ("ns", ns));
}

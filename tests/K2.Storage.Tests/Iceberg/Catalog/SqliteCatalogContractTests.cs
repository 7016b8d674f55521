using System.Data.Common;
using K2.Testing;
using Microsoft.Data.Sqlite;

namespace K2.Storage.Tests.Iceberg.Catalog;

/// <summary>The catalog contract on SQLite (embedded mode), in a database file of its own per test.</summary>
public sealed class SqliteCatalogContractTests : SqlCatalogContractTests, IDisposable
{
    private readonly TempDirectory _directory = new("k2-sqlite-catalog");
    private readonly DbDataSource _dataSource;

    public SqliteCatalogContractTests()
    {
        _dataSource = SqliteFactory.Instance.CreateDataSource(
            new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory.Path, "catalog.db"), Pooling = false }.ToString());
    }

    protected override DbDataSource DataSource => _dataSource;

    public void Dispose()
    {
        _dataSource.Dispose();
        _directory.Dispose();
    }
}

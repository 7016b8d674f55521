using System.Data.Common;
using K2.Testing;

namespace K2.Storage.Tests.Iceberg.Catalog;

/// <summary>The catalog contract on SQLite (embedded mode), in a database file of its own per test.</summary>
public sealed class SqliteCatalogContractTests : SqlCatalogContractTests, IDisposable
{
    private readonly TempDirectory _directory = new("k2-sqlite-catalog");
    private readonly SqliteDatabaseFile _database;

    public SqliteCatalogContractTests()
    {
        _database = new SqliteDatabaseFile(Path.Combine(_directory.Path, "catalog.db"));
    }

    protected override DbDataSource DataSource => _database.DataSource;

    public void Dispose()
    {
        _database.Dispose();
        _directory.Dispose();
    }
}

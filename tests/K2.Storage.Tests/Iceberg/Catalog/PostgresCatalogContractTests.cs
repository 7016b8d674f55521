using System.Data.Common;
using Npgsql;

namespace K2.Storage.Tests.Iceberg.Catalog;

/// <summary>The catalog contract on PostgreSQL (cluster mode), against a server this test class starts and stops.</summary>
public sealed class PostgresCatalogContractTests : SqlCatalogContractTests, IClassFixture<PostgresServer>, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresCatalogContractTests(PostgresServer server)
    {
        _dataSource = NpgsqlDataSource.Create(server.ConnectionString);
    }

    protected override DbDataSource DataSource => _dataSource;

    public void Dispose() => _dataSource.Dispose();
}

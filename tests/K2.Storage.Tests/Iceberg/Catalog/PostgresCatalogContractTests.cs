using System.Data.Common;
using K2.Testing;
using Npgsql;

namespace K2.Storage.Tests.Iceberg.Catalog;

/// <summary>The catalog contract on PostgreSQL (cluster mode), against a server this test class starts and stops.</summary>
public sealed class PostgresCatalogContractTests(PostgresCatalogContractTests.Server server)
    : SqlCatalogContractTests, IClassFixture<PostgresCatalogContractTests.Server>, IDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(server.Instance.ConnectionString("postgres"));

    protected override DbDataSource DataSource => _dataSource;

    public void Dispose() => _dataSource.Dispose();

    /// <summary>One PostgreSQL server for the class's tests.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public PostgresServer Instance { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Instance = await PostgresServer.StartAsync();

        public ValueTask DisposeAsync() => Instance.DisposeAsync();
    }
}

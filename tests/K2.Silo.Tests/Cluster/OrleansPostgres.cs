using K2.Silo.Cluster;
using K2.Testing;

namespace K2.Silo.Tests.Cluster;

/// <summary>One PostgreSQL server for a test class; each test gets a database of its own with K2's Orleans schema.</summary>
public sealed class OrleansPostgres : IAsyncLifetime
{
    /// <summary>The ADO.NET invariant name of Npgsql, as the providers are configured in cluster mode.</summary>
    public const string Invariant = "Npgsql";

    public PostgresServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await PostgresServer.StartAsync();

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    /// <summary>A new database brought to the schema by <see cref="OrleansPostgresSchema.ApplyAsync"/>; its connection string.</summary>
    public async Task<string> CreateSchemaDatabaseAsync(CancellationToken cancellationToken)
    {
        var connectionString = await Server.CreateDatabaseAsync(cancellationToken);
        await OrleansPostgresSchema.ApplyAsync(connectionString, cancellationToken);
        return connectionString;
    }
}

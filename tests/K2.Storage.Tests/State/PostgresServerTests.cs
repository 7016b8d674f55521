using K2.Testing;
using Npgsql;

namespace K2.Storage.Tests.State;

/// <summary>
/// The tests' PostgreSQL (<see cref="PostgresServer"/>) taken down as an outage does and brought back, seen through
/// Npgsql as K2's state database and membership see it: down, it refuses connections; started again, it is at the
/// same address with every committed row.
/// </summary>
public sealed class PostgresServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(PostgresStopMode.Immediate)]
    [InlineData(PostgresStopMode.Fast)]
    public async Task A_stopped_server_refuses_connections_and_started_again_on_its_port_serves_the_committed_rows(PostgresStopMode mode)
    {
        await using var server = await PostgresServer.StartAsync();
        // Unpooled: each open is a new connection, so what is seen is the server, not a connection kept from before.
        var connectionString = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync(Ct)) { Pooling = false }.ConnectionString;
        await ExecuteAsync(connectionString, "CREATE TABLE survivors (id int PRIMARY KEY, name text NOT NULL); INSERT INTO survivors VALUES (1, 'one'), (2, 'two')");
        var port = server.Port;

        await server.StopAsync(mode, Ct);

        var refused = await Should.ThrowAsync<NpgsqlException>(() => ExecuteAsync(connectionString, "SELECT 1"));
        refused.InnerException.ShouldBeOfType<System.Net.Sockets.SocketException>(refused.ToString());
        await Should.ThrowAsync<InvalidOperationException>(() => server.StopAsync(mode, Ct));

        await server.StartAgainAsync(Ct);

        server.Port.ShouldBe(port);
        (await NamesAsync(connectionString)).ShouldBe(["one", "two"]);
        await Should.ThrowAsync<InvalidOperationException>(() => server.StartAgainAsync(Ct));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<List<string>> NamesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT name FROM survivors ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var names = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}

using K2.Silo.Cluster;
using Npgsql;

namespace K2.Silo.Tests.Cluster;

/// <summary>What <see cref="OrleansPostgresSchema.ApplyAsync"/> leaves in a database, however often and however many silos call it.</summary>
public sealed class OrleansPostgresSchemaTests(OrleansPostgres postgres) : IClassFixture<OrleansPostgres>
{
    private static readonly (int, string)[] ExpectedMigrations =
        [(1, "query_registry"), (2, "membership"), (3, "reminders"), (4, "reminder_versions_from_a_sequence")];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_migrations_are_the_embedded_scripts_in_order()
    {
        OrleansPostgresSchema.Migrations.Select(m => (m.Version, m.Name)).ShouldBe(ExpectedMigrations);
    }

    [Fact]
    public async Task Applying_twice_records_each_migration_once()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync(Ct);

        await OrleansPostgresSchema.ApplyAsync(connectionString, Ct);
        await OrleansPostgresSchema.ApplyAsync(connectionString, Ct);

        (await RecordedAsync(connectionString)).ShouldBe(ExpectedMigrations);
    }

    [Fact]
    public async Task Three_concurrent_callers_record_each_migration_once()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync(Ct);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => OrleansPostgresSchema.ApplyAsync(connectionString, Ct), Ct)));

        (await RecordedAsync(connectionString)).ShouldBe(ExpectedMigrations);
    }

    [Fact]
    public async Task The_registry_holds_every_statement_the_providers_look_up()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync(Ct);

        await OrleansPostgresSchema.ApplyAsync(connectionString, Ct);

        // The keys Microsoft.Orleans.Clustering.AdoNet and Microsoft.Orleans.Reminders.AdoNet 10.4.2 read (their
        // assemblies' strings); CleanupDefunctSiloEntryKey is the clustering provider's optional one.
        (await QueryKeysAsync(connectionString)).ShouldBe(
        [
            "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "DeleteMembershipTableEntriesKey",
            "DeleteReminderRowKey", "DeleteReminderRowsKey", "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey",
            "MembershipReadAllKey", "MembershipReadRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "ReadReminderRowKey",
            "ReadReminderRowsKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey", "UpsertReminderRowKey",
        ]);
    }

    private static async Task<List<(int, string)>> RecordedAsync(string connectionString)
    {
        var rows = new List<(int, string)>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT version, name FROM k2_orleans_migrations ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1)));
        }

        return rows;
    }

    private static async Task<List<string>> QueryKeysAsync(string connectionString)
    {
        var keys = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\"", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}

using K2.Silo.Schedules;
using K2.Storage.Iceberg.Catalog;
using K2.Testing;
using K2.Testing.Grains;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace K2.Silo.Tests.Schedules;

/// <summary>
/// The reminder table contract on the SQLite state database, plus what only a file shows: rows outlive the process,
/// and the table is one of the state database's own.
/// </summary>
public sealed class SqliteReminderTableTests : ReminderTableContract
{
    private readonly TempDirectory _data = new("k2-reminders");
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;

    public SqliteReminderTableTests() => _loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));

    private string SqlitePath => Path.Combine(_data.Path, "state", "k2.db");

    protected override Task<IReminderTable> CreateTableAsync() => OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _loggers.Dispose();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    [Fact]
    public async Task Rows_and_their_etags_outlive_the_table_that_wrote_them()
    {
        var offload = Grain("offload");
        var etag = await Table.UpsertRow(Entry(offload, "offload", TimeSpan.FromMinutes(15)), Ct);
        await Table.UpsertRow(Entry(Grain("maintenance"), "maintenance", TimeSpan.FromDays(1)), Ct);
        ((IDisposable)Table).Dispose();
        SqliteConnection.ClearAllPools();

        var reopened = await OpenAsync();
        using var disposeReopened = (SqliteReminderTable)reopened;

        var row = (await reopened.ReadRow(offload, "offload", Ct)).ShouldNotBeNull();
        row.ETag.ShouldBe(etag);
        row.Period.ShouldBe(TimeSpan.FromMinutes(15));
        (await reopened.ReadRows(0, 0, Ct)).Reminders.Count.ShouldBe(2);
        (await reopened.RemoveRow(offload, "offload", etag!, Ct)).ShouldBeTrue();
    }

    [Fact]
    public async Task The_reminders_table_is_created_by_the_state_database_migrations_and_quartz_leftovers_stay()
    {
        using var data = new TempDirectory("k2-reminders");
        var path = Path.Combine(data.Path, "k2.db");
        using (var database = new SqliteDatabaseFile(path))
        {
            await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE qrtz_TRIGGERS (TRIGGER_NAME TEXT)";
            await command.ExecuteNonQueryAsync(Ct);
        }

        using (var database = new SqliteDatabaseFile(path))
        {
            await CatalogDatabase.CreateTablesAsync(database.DataSource, Ct);
        }

        (await TablesAsync(path)).ShouldBe(
            ["iceberg_namespace_properties", "iceberg_tables", "maintenance_audit_log", "offload_runs", "offload_watermarks", "qrtz_TRIGGERS", "reminders", "schedule_leases"]);
    }

    [Fact]
    public async Task Starting_the_table_migrates_the_state_database_it_names()
    {
        (await TablesAsync(SqlitePath)).ShouldContain("reminders");
        (await TablesAsync(SqlitePath)).ShouldContain("offload_runs");
        var ready = _logs.Entries.Single(e => e.EventId.Id == ScheduleEventIds.ReminderTableReady);
        ready.Level.ShouldBe(LogLevel.Information);
        ready.Message.ShouldBe($"Reminder table ready in {SqlitePath}: 0 reminders stored");
    }

    [Fact]
    public async Task The_first_read_of_a_range_is_logged_at_information_and_later_ones_at_debug()
    {
        await Table.UpsertRow(Entry(Grain("offload"), "offload", TimeSpan.FromMinutes(15)), Ct);

        await Table.ReadRows(0, 0, Ct);
        await Table.ReadRows(0, 0, Ct);

        var reads = _logs.Entries.Where(e => e.EventId.Id == ScheduleEventIds.ReminderRowsRead).ToArray();
        reads.Select(e => e.Level).ShouldBe([LogLevel.Information, LogLevel.Debug]);
        reads[0].Message.ShouldBe("Read 1 reminder rows at start, grain hashes (00000000, 00000000]: schedule/offload:offload");
    }

    [Fact]
    public async Task Without_a_state_database_path_the_table_refuses_to_start()
    {
        using var table = new SqliteReminderTable(Options.Create(new StateDatabaseOptions { SqlitePath = "" }), _loggers.CreateLogger<SqliteReminderTable>());

        var failure = await Should.ThrowAsync<InvalidOperationException>(() => table.StartAsync(Ct));

        failure.Message.ShouldBe("K2:State: SqlitePath is required: the reminder table lives in the SQLite state database.");
    }

    private async Task<IReminderTable> OpenAsync()
    {
        var table = new SqliteReminderTable(Options.Create(new StateDatabaseOptions { SqlitePath = SqlitePath }), _loggers.CreateLogger<SqliteReminderTable>());
        await table.StartAsync(Ct);
        return table;
    }

    private static async Task<List<string>> TablesAsync(string path)
    {
        using var database = new SqliteDatabaseFile(path);
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}

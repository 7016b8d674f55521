using System.Data.Common;
using K2.Core;
using K2.Storage.Iceberg.Catalog;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace K2.Silo.Schedules;

/// <summary>
/// Orleans' reminder table in the SQLite state database (<c>K2:State:SqlitePath</c>, <c>DATA/state/k2.db</c>), in the
/// <c>reminders</c> table that the state database's migrations create (<see cref="CatalogDatabase"/>). Only the one K2
/// process holding the data directory opens the file. The reminder service reads the rows whose grain hash lies in its
/// ring range at start and every few minutes after; the first of those reads is logged at Information, so an operator
/// can see what a start found.
/// </summary>
/// <remarks>
/// The reminder table's contract: a range <c>(begin, end]</c> of uniform grain hashes wraps around when
/// <c>begin &gt;= end</c> (so <c>begin == end</c> is the whole ring); an upsert replaces whatever is stored and returns
/// a new ETag; a row is removed only with its current ETag. Times are kept in microseconds, as elsewhere in the state
/// database.
/// </remarks>
public sealed partial class SqliteReminderTable : IReminderTable, IDisposable
{
    private const string Columns = "grain_id, reminder_name, start_at_us, period_us, etag";

    private readonly string _path;
    private readonly DbDataSource _dataSource;
    private readonly ILogger<SqliteReminderTable> _logger;
    private int _rangeReads;

    public SqliteReminderTable(IOptions<StateDatabaseOptions> options, ILogger<SqliteReminderTable> logger)
    {
        _path = options.Value.SqlitePath;
        _logger = logger;
        _dataSource = SqliteFactory.Instance.CreateDataSource(new SqliteConnectionStringBuilder { DataSource = _path, DefaultTimeout = 30 }.ToString());
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(_path))
        {
            throw new InvalidOperationException($"{StateDatabaseOptions.Section}: SqlitePath is required: the reminder table lives in the SQLite state database.");
        }

        // SQLite's calls block; the migration (a few writes, each synced) runs off the silo's scheduler. The reads and
        // writes of reminders later on are single short statements.
        var rows = await Task.Run(async () =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
            await CatalogDatabase.CreateTablesAsync(_dataSource, cancellationToken);
            return await QueryAsync("SELECT COUNT(*) FROM reminders", r => r.GetInt64(0), cancellationToken);
        }, cancellationToken);
        LogReady(_logger, _path, rows[0]);
    }

    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        var condition = begin < end ? "grain_hash > @begin AND grain_hash <= @end" : "grain_hash > @begin OR grain_hash <= @end";
        var rows = await QueryAsync($"SELECT {Columns} FROM reminders WHERE {condition}", ReadEntry, CancellationToken.None,
            ("begin", (long)begin), ("end", (long)end));
        var names = string.Join(", ", rows.Select(r => $"{r.GrainId}:{r.ReminderName}"));
        if (Interlocked.Increment(ref _rangeReads) == 1)
        {
            LogFirstRangeRead(_logger, rows.Count, begin, end, names);
        }
        else
        {
            LogRangeRead(_logger, rows.Count, begin, end, names);
        }

        return new ReminderTableData(rows);
    }

    public async Task<ReminderTableData> ReadRows(GrainId grainId) =>
        new(await QueryAsync($"SELECT {Columns} FROM reminders WHERE grain_id = @grain", ReadEntry, CancellationToken.None,
            ("grain", grainId.ToString())));

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var rows = await QueryAsync($"SELECT {Columns} FROM reminders WHERE grain_id = @grain AND reminder_name = @name", ReadEntry,
            CancellationToken.None, ("grain", grainId.ToString()), ("name", reminderName));
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        var etag = Guid.NewGuid().ToString("N");
        var startAt = UnixMicros.FromDateTimeOffset(ReminderTime.ToUtc(entry.StartAt));
        await ExecuteAsync(
            $"INSERT INTO reminders (grain_id, reminder_name, grain_hash, start_at_us, period_us, etag) " +
            "VALUES (@grain, @name, @hash, @start, @period, @etag) ON CONFLICT (grain_id, reminder_name) DO UPDATE SET " +
            "grain_hash = excluded.grain_hash, start_at_us = excluded.start_at_us, period_us = excluded.period_us, etag = excluded.etag",
            ("grain", entry.GrainId.ToString()), ("name", entry.ReminderName), ("hash", (long)entry.GrainId.GetUniformHashCode()),
            ("start", startAt.Value), ("period", entry.Period.Ticks / TimeSpan.TicksPerMicrosecond), ("etag", etag));
        LogWritten(_logger, entry.GrainId.ToString(), entry.ReminderName, startAt.ToDateTimeOffset(), entry.Period);
        return etag;
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        var removed = await ExecuteAsync("DELETE FROM reminders WHERE grain_id = @grain AND reminder_name = @name AND etag = @etag",
            ("grain", grainId.ToString()), ("name", reminderName), ("etag", eTag)) > 0;
        if (removed)
        {
            LogRemoved(_logger, grainId.ToString(), reminderName);
        }

        return removed;
    }

    public async Task TestOnlyClearTable() => await ExecuteAsync("DELETE FROM reminders");

    public void Dispose() => _dataSource.Dispose();

    private static ReminderEntry ReadEntry(DbDataReader reader) => new()
    {
        GrainId = GrainId.Parse(reader.GetString(0)),
        ReminderName = reader.GetString(1),
        StartAt = new UnixMicros(reader.GetInt64(2)).ToDateTimeOffset().UtcDateTime,
        Period = TimeSpan.FromMicroseconds(reader.GetInt64(3)),
        ETag = reader.GetString(4),
    };

    private async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    private async Task<List<T>> QueryAsync<T>(
        string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static DbCommand Command(DbConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    [LoggerMessage(EventId = ScheduleEventIds.ReminderTableReady, Level = LogLevel.Information,
        Message = "Reminder table ready in {Path}: {Rows} reminders stored")]
    private static partial void LogReady(ILogger logger, string path, long rows);

    [LoggerMessage(EventId = ScheduleEventIds.ReminderRowsRead, Level = LogLevel.Information,
        Message = "Read {Count} reminder rows at start, grain hashes ({Begin:X8}, {End:X8}]: {Reminders}")]
    private static partial void LogFirstRangeRead(ILogger logger, int count, uint begin, uint end, string reminders);

    [LoggerMessage(EventId = ScheduleEventIds.ReminderRowsRead, Level = LogLevel.Debug,
        Message = "Read {Count} reminder rows, grain hashes ({Begin:X8}, {End:X8}]: {Reminders}")]
    private static partial void LogRangeRead(ILogger logger, int count, uint begin, uint end, string reminders);

    [LoggerMessage(EventId = ScheduleEventIds.ReminderRowWritten, Level = LogLevel.Debug,
        Message = "Reminder row {GrainId}:{ReminderName} written: every {Period} from {StartAt:O}")]
    private static partial void LogWritten(ILogger logger, string grainId, string reminderName, DateTimeOffset startAt, TimeSpan period);

    [LoggerMessage(EventId = ScheduleEventIds.ReminderRowRemoved, Level = LogLevel.Debug,
        Message = "Reminder row {GrainId}:{ReminderName} removed")]
    private static partial void LogRemoved(ILogger logger, string grainId, string reminderName);
}

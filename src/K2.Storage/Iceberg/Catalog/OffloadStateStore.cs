using System.Data.Common;
using K2.Core;

namespace K2.Storage.Iceberg.Catalog;

/// <summary>
/// K2's own offload state beside the catalog, in the same database: the watermark mirror, the run log and the
/// maintenance audit log (tables created by <see cref="CatalogDatabase"/>).
/// </summary>
public sealed class OffloadStateStore(DbDataSource dataSource)
{
    /// <summary>Sets the table's watermark mirror, replacing the previous one.</summary>
    public Task SaveWatermarkAsync(OffloadWatermark watermark, CancellationToken cancellationToken) =>
        SqlCommands.ExecuteAsync(dataSource,
            "INSERT INTO offload_watermarks (table_name, watermark_ingest_us, watermark_tie_breaker, snapshot_id, updated_at_us) " +
            "VALUES (@t, @ingest, @tie, @snapshot, @updated) ON CONFLICT (table_name) DO UPDATE SET " +
            "watermark_ingest_us = excluded.watermark_ingest_us, watermark_tie_breaker = excluded.watermark_tie_breaker, " +
            "snapshot_id = excluded.snapshot_id, updated_at_us = excluded.updated_at_us",
            cancellationToken, ("t", watermark.Table), ("ingest", watermark.IngestTime.Value), ("tie", watermark.TieBreaker),
            ("snapshot", watermark.SnapshotId), ("updated", watermark.UpdatedAt.Value));

    /// <summary>The table's watermark mirror, or null before its first offload.</summary>
    public async Task<OffloadWatermark?> LoadWatermarkAsync(string table, CancellationToken cancellationToken)
    {
        var rows = await SqlCommands.QueryAsync(dataSource,
            "SELECT watermark_ingest_us, watermark_tie_breaker, snapshot_id, updated_at_us FROM offload_watermarks WHERE table_name = @t",
            r => new OffloadWatermark(table, new UnixMicros(r.GetInt64(0)), r.GetString(1), r.GetInt64(2), new UnixMicros(r.GetInt64(3))),
            cancellationToken, ("t", table));
        return rows.Count == 0 ? null : rows[0];
    }

    public Task RecordRunAsync(OffloadRun run, CancellationToken cancellationToken) =>
        SqlCommands.ExecuteAsync(dataSource,
            "INSERT INTO offload_runs (run_id, table_name, started_at_us, finished_at_us, rows_written, bytes_written, files_written, duration_ms, outcome, error) " +
            "VALUES (@id, @t, @started, @finished, @rows, @bytes, @files, @duration, @outcome, @error)",
            cancellationToken, ("id", run.RunId.ToString("D")), ("t", run.Table), ("started", run.StartedAt.Value), ("finished", run.FinishedAt.Value),
            ("rows", run.Rows), ("bytes", run.Bytes), ("files", run.Files), ("duration", (long)run.Duration.TotalMilliseconds),
            ("outcome", run.Outcome), ("error", run.Error));

    /// <summary>The table's latest <paramref name="limit"/> runs, newest first.</summary>
    public async Task<IReadOnlyList<OffloadRun>> RecentRunsAsync(string table, int limit, CancellationToken cancellationToken) =>
        await SqlCommands.QueryAsync(dataSource,
            "SELECT run_id, started_at_us, finished_at_us, rows_written, bytes_written, files_written, duration_ms, outcome, error " +
            "FROM offload_runs WHERE table_name = @t ORDER BY started_at_us DESC LIMIT @limit",
            r => new OffloadRun(Guid.Parse(r.GetString(0)), table, new UnixMicros(r.GetInt64(1)), new UnixMicros(r.GetInt64(2)), r.GetInt64(3),
                r.GetInt64(4), r.GetInt32(5), TimeSpan.FromMilliseconds(r.GetInt64(6)), r.GetString(7), SqlCommands.NullableString(r, 8)),
            cancellationToken, ("t", table), ("limit", limit));

    /// <summary>When the latest run in the run log started, whichever its table and outcome; null when the log is empty.</summary>
    public async Task<UnixMicros?> LatestRunStartAsync(CancellationToken cancellationToken) =>
        (await SqlCommands.QueryAsync(dataSource, "SELECT MAX(started_at_us) FROM offload_runs",
            r => SqlCommands.NullableInt64(r, 0), cancellationToken))[0] is { } started ? new UnixMicros(started) : null;

    public Task RecordAuditAsync(MaintenanceAudit audit, CancellationToken cancellationToken) =>
        SqlCommands.ExecuteAsync(dataSource,
            "INSERT INTO maintenance_audit_log (audit_id, table_name, task, hot_count, cold_count, window_start_us, window_end_us, outcome, at_us) " +
            "VALUES (@id, @t, @task, @hot, @cold, @from, @to, @outcome, @at)",
            cancellationToken, ("id", audit.AuditId.ToString("D")), ("t", audit.Table), ("task", audit.Task), ("hot", audit.HotCount),
            ("cold", audit.ColdCount), ("from", audit.WindowStart?.Value), ("to", audit.WindowEnd?.Value), ("outcome", audit.Outcome), ("at", audit.At.Value));

    /// <summary>When the latest maintenance record was written, whichever its table, task and outcome; null when there is none.</summary>
    public async Task<UnixMicros?> LatestAuditAtAsync(CancellationToken cancellationToken) =>
        (await SqlCommands.QueryAsync(dataSource, "SELECT MAX(at_us) FROM maintenance_audit_log",
            r => SqlCommands.NullableInt64(r, 0), cancellationToken))[0] is { } at ? new UnixMicros(at) : null;

    /// <summary>
    /// The table's newest maintenance record of each of <paramref name="tasks"/> (those never run left out), in the order
    /// given: one statement of index lookups (table, time), so the cost does not grow with the log.
    /// </summary>
    public async Task<IReadOnlyList<MaintenanceAudit>> LatestAuditPerTaskAsync(string table, IReadOnlyList<string> tasks, CancellationToken cancellationToken)
    {
        if (tasks.Count == 0)
        {
            return [];
        }

        // Each task's newest row through its own LIMIT 1; PostgreSQL 15 wants every subquery in FROM named.
        var parts = tasks.Select((_, i) =>
            $"SELECT {AuditColumns} FROM (SELECT {AuditColumns} FROM maintenance_audit_log " +
            $"WHERE table_name = @t AND task = @task{i} ORDER BY at_us DESC LIMIT 1) AS latest{i}");
        var parameters = tasks.Select((task, i) => ($"task{i}", (object?)task)).Prepend(("t", (object?)table)).ToArray();
        var records = await SqlCommands.QueryAsync(dataSource, string.Join(" UNION ALL ", parts), r => ReadAudit(r, table), cancellationToken, parameters);
        return [.. tasks.SelectMany(task => records.Where(r => r.Task == task))];
    }

    /// <summary>The table's latest <paramref name="limit"/> maintenance records, newest first.</summary>
    public async Task<IReadOnlyList<MaintenanceAudit>> RecentAuditsAsync(string table, int limit, CancellationToken cancellationToken) =>
        await SqlCommands.QueryAsync(dataSource,
            $"SELECT {AuditColumns} FROM maintenance_audit_log WHERE table_name = @t ORDER BY at_us DESC LIMIT @limit",
            r => ReadAudit(r, table), cancellationToken, ("t", table), ("limit", limit));

    private const string AuditColumns = "audit_id, task, hot_count, cold_count, window_start_us, window_end_us, outcome, at_us";

    private static MaintenanceAudit ReadAudit(DbDataReader r, string table) =>
        new(Guid.Parse(r.GetString(0)), table, r.GetString(1), SqlCommands.NullableInt64(r, 2), SqlCommands.NullableInt64(r, 3),
            SqlCommands.NullableInt64(r, 4) is { } from ? new UnixMicros(from) : null,
            SqlCommands.NullableInt64(r, 5) is { } to ? new UnixMicros(to) : null,
            r.GetString(6), new UnixMicros(r.GetInt64(7)));
}

using System.Data.Common;

namespace K2.Storage.Iceberg.Catalog;

/// <summary>
/// The catalog database's tables, created if missing: the Iceberg JDBC catalog's <c>iceberg_tables</c> (with the
/// <c>iceberg_type</c> column of its V1 schema) and <c>iceberg_namespace_properties</c>, laid out as Java's
/// <c>JdbcUtil</c> and PyIceberg's <c>SqlCatalog</c> create them so those engines can share the catalog, K2's own
/// offload state, the schedules' run leases (<see cref="ScheduleLeases"/>), and the Orleans reminders of the embedded
/// silo (<c>reminders</c>, K2.Silo's <c>SqliteReminderTable</c>).
/// The SQL is common to SQLite (embedded) and PostgreSQL (cluster); times are microseconds since the Unix epoch in
/// BIGINT columns, exact in both.
/// </summary>
public static class CatalogDatabase
{
    private static readonly string[] Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS iceberg_tables (
            catalog_name VARCHAR(255) NOT NULL,
            table_namespace VARCHAR(255) NOT NULL,
            table_name VARCHAR(255) NOT NULL,
            metadata_location VARCHAR(1000),
            previous_metadata_location VARCHAR(1000),
            iceberg_type VARCHAR(5),
            PRIMARY KEY (catalog_name, table_namespace, table_name)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
            catalog_name VARCHAR(255) NOT NULL,
            namespace VARCHAR(255) NOT NULL,
            property_key VARCHAR(255),
            property_value VARCHAR(1000),
            PRIMARY KEY (catalog_name, namespace, property_key)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS offload_watermarks (
            table_name VARCHAR(255) NOT NULL PRIMARY KEY,
            watermark_ingest_us BIGINT NOT NULL,
            watermark_tie_breaker VARCHAR(1000) NOT NULL,
            snapshot_id BIGINT NOT NULL,
            updated_at_us BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS offload_runs (
            run_id VARCHAR(36) NOT NULL PRIMARY KEY,
            table_name VARCHAR(255) NOT NULL,
            started_at_us BIGINT NOT NULL,
            finished_at_us BIGINT NOT NULL,
            rows_written BIGINT NOT NULL,
            bytes_written BIGINT NOT NULL,
            files_written INTEGER NOT NULL,
            duration_ms BIGINT NOT NULL,
            outcome VARCHAR(32) NOT NULL,
            error TEXT
        )
        """,
        "CREATE INDEX IF NOT EXISTS offload_runs_by_table ON offload_runs (table_name, started_at_us)",
        """
        CREATE TABLE IF NOT EXISTS maintenance_audit_log (
            audit_id VARCHAR(36) NOT NULL PRIMARY KEY,
            table_name VARCHAR(255) NOT NULL,
            task VARCHAR(32) NOT NULL,
            hot_count BIGINT,
            cold_count BIGINT,
            window_start_us BIGINT,
            window_end_us BIGINT,
            outcome VARCHAR(32) NOT NULL,
            at_us BIGINT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS maintenance_audit_log_by_table ON maintenance_audit_log (table_name, at_us)",
        // One row per reminder: grain_id is Orleans' GrainId text (type/key), grain_hash its uniform hash (an unsigned
        // 32-bit value) that the reminder service reads by range, period_us the reminder's period and etag a fresh
        // value per write. Tables of Quartz (qrtz_*) that an older K2 left in this database stay as they are, unused.
        """
        CREATE TABLE IF NOT EXISTS reminders (
            grain_id VARCHAR(1000) NOT NULL,
            reminder_name VARCHAR(255) NOT NULL,
            grain_hash BIGINT NOT NULL,
            start_at_us BIGINT NOT NULL,
            period_us BIGINT NOT NULL,
            etag VARCHAR(36) NOT NULL,
            PRIMARY KEY (grain_id, reminder_name)
        )
        """,
        "CREATE INDEX IF NOT EXISTS reminders_by_hash ON reminders (grain_hash)",
        // One row per schedule whose run holds (or last held and did not release) the lease; expires_at_us is in the
        // holder's clock (ScheduleLeases says why).
        """
        CREATE TABLE IF NOT EXISTS schedule_leases (
            schedule VARCHAR(255) NOT NULL PRIMARY KEY,
            holder VARCHAR(255) NOT NULL,
            expires_at_us BIGINT NOT NULL
        )
        """,
    ];

    /// <summary>Creates whatever of the catalog and state tables is missing.</summary>
    public static async Task CreateTablesAsync(DbDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var statement in Statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

using System.Data.Common;
using K2.Core;

namespace K2.Storage.Iceberg.Catalog;

/// <summary>
/// Where every cold table stands, read from the state database for a status display: its current metadata file in the
/// catalog, its watermark mirror and its latest offload run. Three indexed reads of small tables, whatever the number of tables.
/// </summary>
public sealed class ColdTableStates(DbDataSource dataSource, string catalogName)
{
    /// <summary>The tables of <paramref name="ns"/> the catalog knows or the offload state names, in name order.</summary>
    public async Task<IReadOnlyList<ColdTableState>> ReadAsync(string ns, CancellationToken cancellationToken)
    {
        var locations = (await SqlCommands.QueryAsync(dataSource,
                "SELECT table_name, metadata_location FROM iceberg_tables WHERE catalog_name = @c AND table_namespace = @ns " +
                "AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)",
                r => (Table: r.GetString(0), Location: SqlCommands.NullableString(r, 1)), cancellationToken, ("c", catalogName), ("ns", ns)))
            .ToDictionary(l => l.Table, l => l.Location, StringComparer.Ordinal);
        var watermarks = (await SqlCommands.QueryAsync(dataSource,
                "SELECT table_name, watermark_ingest_us, watermark_tie_breaker, snapshot_id, updated_at_us FROM offload_watermarks",
                r => new OffloadWatermark(r.GetString(0), new UnixMicros(r.GetInt64(1)), r.GetString(2), r.GetInt64(3), new UnixMicros(r.GetInt64(4))),
                cancellationToken))
            .ToDictionary(w => w.Table, StringComparer.Ordinal);
        // The newest run of each table: the index on (table_name, started_at_us) answers each inner MAX.
        var runs = (await SqlCommands.QueryAsync(dataSource,
                "SELECT r.run_id, r.table_name, r.started_at_us, r.finished_at_us, r.rows_written, r.bytes_written, r.files_written, r.duration_ms, r.outcome, r.error " +
                "FROM offload_runs r WHERE r.started_at_us = (SELECT MAX(l.started_at_us) FROM offload_runs l WHERE l.table_name = r.table_name)",
                r => new OffloadRun(Guid.Parse(r.GetString(0)), r.GetString(1), new UnixMicros(r.GetInt64(2)), new UnixMicros(r.GetInt64(3)), r.GetInt64(4),
                    r.GetInt64(5), r.GetInt32(6), TimeSpan.FromMilliseconds(r.GetInt64(7)), r.GetString(8), SqlCommands.NullableString(r, 9)),
                cancellationToken))
            .GroupBy(r => r.Table, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(r => r.FinishedAt.Value)!, StringComparer.Ordinal);

        return [.. locations.Keys.Union(watermarks.Keys).Union(runs.Keys)
            .Order(StringComparer.Ordinal)
            .Select(t => new ColdTableState(t, locations.GetValueOrDefault(t), watermarks.GetValueOrDefault(t), runs.GetValueOrDefault(t)))];
    }
}

/// <summary>One cold table's catalog pointer (null before its first offload), watermark mirror and latest run, each null when there is none.</summary>
public sealed record ColdTableState(string Table, string? MetadataLocation, OffloadWatermark? Watermark, OffloadRun? LatestRun);

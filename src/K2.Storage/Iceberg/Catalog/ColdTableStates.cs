using System.Data.Common;
using K2.Core;
using K2.Storage.Iceberg.Maintenance;

namespace K2.Storage.Iceberg.Catalog;

/// <summary>
/// Where cold tables stand, read from the state database for a status display: each one's current metadata file in the
/// catalog, its watermark mirror, its latest offload run and the latest record of each maintenance task. Index lookups
/// only, so the cost does not grow with the run log or the maintenance log.
/// </summary>
public sealed class ColdTableStates(DbDataSource dataSource, string catalogName)
{
    private static readonly string[] MaintenanceTasks = [.. Enum.GetValues<MaintenanceTask>().Select(ColdTableMaintenance.TaskName)];

    /// <summary>The state of each of <paramref name="tables"/> (in namespace <paramref name="ns"/>), in the order given.</summary>
    public async Task<IReadOnlyList<ColdTableState>> ReadAsync(string ns, IReadOnlyList<string> tables, CancellationToken cancellationToken)
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
        var runs = new OffloadStateStore(dataSource);
        var states = new List<ColdTableState>(tables.Count);
        foreach (var table in tables)
        {
            // One lookup on the (table_name, started_at_us) index per table, and one per maintenance task on (table_name, at_us).
            var latest = await runs.RecentRunsAsync(table, 1, cancellationToken);
            var maintenance = await runs.LatestAuditPerTaskAsync(table, MaintenanceTasks, cancellationToken);
            states.Add(new ColdTableState(
                table, locations.GetValueOrDefault(table), watermarks.GetValueOrDefault(table), latest.Count == 0 ? null : latest[0], maintenance));
        }

        return states;
    }
}

/// <summary>
/// One cold table's catalog pointer (null before its first offload), watermark mirror and latest run, each null when
/// there is none, and the newest maintenance record of each task (compact, expire, orphans, audit) that has run.
/// </summary>
public sealed record ColdTableState(
    string Table, string? MetadataLocation, OffloadWatermark? Watermark, OffloadRun? LatestRun, IReadOnlyList<MaintenanceAudit> LatestMaintenance);

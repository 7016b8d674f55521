using System.Globalization;
using System.Text;
using K2.Core;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Catalog;
using K2.Storage.Iceberg.Commits;
using K2.Storage.Iceberg.Manifests;
using K2.Storage.Iceberg.Metadata;
using K2.Storage.Iceberg.Offload;
using K2.Storage.ObjectStores;

namespace K2.Storage.Iceberg.Maintenance;

/// <summary>
/// Compares a table's hot and cold row counts (for a deduplicating table, counts of keys by their latest row) over the
/// rows whose ingest time lies in the audit window (now minus
/// <see cref="MaintenanceOptions.AuditWindow"/>, up to the table's offload watermark: later rows are not offloaded
/// yet). The window is (start, end], the offload's own slice bounds. The cold count reads the rows themselves,
/// not the manifests' record counts: a file holds whole offload slices (several, once compacted), which need not
/// line up with the window's start, so only a row-level filter on the ingest column counts exactly. The files read
/// are the current snapshot's live data files whose ingest-time bounds meet the window, read with ClickHouse
/// (<c>file()</c>, or <c>s3()</c> for an S3 warehouse), which reaches the store wherever it is, unlike
/// <c>icebergLocal</c> (relative to ClickHouse's own directory).
/// </summary>
public sealed class HotColdAudit(
    IClickHouseClient clickHouse,
    HotStoreOptions hotOptions,
    IObjectStore warehouse,
    TableMetadataCommitter committer,
    MaintenanceOptions options,
    TimeProvider time)
{
    public const string TaskName = "audit";
    public const string Match = "ok";
    public const string Mismatch = "mismatch";

    /// <summary>Counts both sides; the caller records the result (<see cref="OffloadStateStore.RecordAuditAsync"/>).</summary>
    public async Task<MaintenanceAudit> AuditAsync(ColdTable table, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = await committer.LoadCurrentAsync(table, cancellationToken);
        var from = UnixMicros.FromDateTimeOffset(now - options.AuditWindow);
        var to = new UnixMicros(Math.Min(UnixMicros.FromDateTimeOffset(now).Value, TableOffloader.Watermark(current.Metadata).Value));
        long hot = 0;
        long cold = 0;
        if (to > from)
        {
            hot = await HotCountAsync(table, from, to, cancellationToken);
            cold = await ColdCountAsync(table, current, from, to, cancellationToken);
        }

        return new MaintenanceAudit(Guid.NewGuid(), table.Name, TaskName, hot, cold, from, to, hot == cold ? Match : Mismatch, UnixMicros.FromDateTimeOffset(now));
    }

    /// <summary>
    /// Rows in the window; for a deduplicating table, keys whose latest row is in the window (FINAL), since merges drop
    /// the older rows of a key from the hot table while the cold table keeps every row it was given.
    /// </summary>
    private async Task<long> HotCountAsync(ColdTable table, UnixMicros from, UnixMicros to, CancellationToken cancellationToken)
    {
        var sql = $"SELECT count() FROM {hotOptions.Database}.{table.HotTable}{(table.ReplacingKey is null ? "" : " FINAL")} WHERE {WindowFilter(table)}"
            + (table.HotFilter is { } filter ? $" AND {filter}" : "");
        return await CountAsync(sql, new ClickHouseParameters().Add("from", from).Add("to", to), cancellationToken);
    }

    private async Task<long> ColdCountAsync(ColdTable table, CurrentMetadata current, UnixMicros from, UnixMicros to, CancellationToken cancellationToken)
    {
        if (current.Metadata.CurrentSnapshot is not { } snapshot)
        {
            return 0;
        }

        var ingestId = table.Schema.Field(table.IngestTimeColumn).Id;
        var keys = committer.KeysOf(table);
        var (_, live) = await LiveDataFile.ReadAsync(keys, snapshot, cancellationToken);
        var files = live.Select(f => f.Entry.DataFile).Where(f => MayHoldRowsIn(f, ingestId, from, to))
            .Select(f => warehouse.LocationOf(keys.RequiredKeyOf(f.FilePath))).ToList(); // where ClickHouse reads it
        if (files.Count == 0)
        {
            return 0;
        }

        var parameters = new ClickHouseParameters().Add("from", from).Add("to", to);
        var rows = ColdDataFileQueries.RowsOf(table, files, parameters);
        var sql = table.ReplacingKey is { } key
            ? $"SELECT count() FROM (SELECT {key}, argMax({table.IngestTimeColumn}, {table.LatestRowOrder}) AS {table.IngestTimeColumn} FROM {rows} GROUP BY {key}) " +
              $"WHERE {WindowFilter(table)} AND ({key}) NOT IN ({ReplacedAfterWatermark(table, key)})"
            : $"SELECT count() FROM {rows} WHERE {WindowFilter(table)}";
        return await CountAsync(sql, parameters, cancellationToken);
    }

    /// <summary>
    /// The keys whose latest hot row landed after the watermark: a forming candle rewritten, a trade stored again. The
    /// hot count leaves them out (their latest row is past the window) while the cold table still holds the row they had
    /// at the offload, so the cold count leaves them out too; the next offload copies the new row.
    /// </summary>
    private string ReplacedAfterWatermark(ColdTable table, string key)
    {
        // The cold files give key columns as String where the hot table has LowCardinality or Enum8.
        var keyColumns = key.Split(',', StringSplitOptions.TrimEntries).Select(name =>
            table.Columns.Single(c => c.Name == name).ClickHouseType is var type
            && (type.StartsWith("LowCardinality(String)", StringComparison.Ordinal) || type.StartsWith("Enum8(", StringComparison.Ordinal))
                ? $"CAST({name} AS String)"
                : name);
        return $"SELECT {string.Join(", ", keyColumns)} FROM {hotOptions.Database}.{table.HotTable} FINAL " +
               $"WHERE {table.IngestTimeColumn} > {{to:DateTime64(6, 'UTC')}}" + (table.HotFilter is { } filter ? $" AND {filter}" : "");
    }

    /// <summary>Whether the file's ingest-time bounds (microseconds, Appendix D) meet (from, to]; a file without bounds may.</summary>
    private static bool MayHoldRowsIn(DataFile file, int ingestId, UnixMicros from, UnixMicros to)
    {
        if (file.LowerBounds is null || file.UpperBounds is null
            || !file.LowerBounds.TryGetValue(ingestId, out var lower) || !file.UpperBounds.TryGetValue(ingestId, out var upper))
        {
            return true;
        }

        return SingleValue.ToLong(upper) > from.Value && SingleValue.ToLong(lower) <= to.Value;
    }

    private static string WindowFilter(ColdTable table) =>
        $"{table.IngestTimeColumn} > {{from:DateTime64(6, 'UTC')}} AND {table.IngestTimeColumn} <= {{to:DateTime64(6, 'UTC')}}";

    private Task<long> CountAsync(string sql, ClickHouseParameters parameters, CancellationToken cancellationToken) =>
        clickHouse.QueryAsync(sql, parameters, ClickHouseFormats.TabSeparated,
            static data => long.Parse(Encoding.UTF8.GetString(data).Trim(), NumberStyles.None, CultureInfo.InvariantCulture), cancellationToken);
}

namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// A cold (Iceberg) table and where its rows come from: hot table <see cref="HotTable"/>, rows matching
/// <see cref="HotFilter"/> when one hot table feeds several cold ones, offloaded in slices by <see cref="IngestTimeColumn"/>.
/// </summary>
public sealed record ColdTable(
    string Namespace,
    string Name,
    string HotTable,
    string? HotFilter,
    string IngestTimeColumn,
    IReadOnlyList<ColdColumn> Columns,
    IcebergSchema Schema,
    PartitionSpec PartitionSpec)
{
    /// <summary>
    /// The columns the hot table deduplicates on (a ReplacingMergeTree keeps the latest row per key), or null for an
    /// append-only table. A key written again after an offload has a row in each slice; compaction keeps only the
    /// latest of the rows in the small files it rewrites together, so readers still take the latest row per key.
    /// </summary>
    public string? ReplacingKey { get; init; }

    /// <summary>
    /// Whether an offload sends only each key's latest row of its slice: for candles, rewritten every second while
    /// open, so a slice holds many versions of a key; not for trades, whose rare duplicates are not worth sorting a
    /// large slice for (maintenance removes them).
    /// </summary>
    public bool OffloadsLatestRowPerKey { get; init; }

    /// <summary>
    /// The column whose highest value makes a row its key's latest (the ReplacingMergeTree's version column); the
    /// ingest-time column when not set, as a ReplacingMergeTree without a version keeps the last insert.
    /// </summary>
    public string? ReplacingVersion { get; init; }

    /// <summary>The column that orders a key's rows, newest highest.</summary>
    public string LatestRowOrder => ReplacingVersion ?? IngestTimeColumn;

    /// <summary>The ClickHouse clauses that keep each key's latest row of an row set, or empty for an append-only table.</summary>
    public string LatestRowPerKey => ReplacingKey is { } key ? $"ORDER BY {LatestRowOrder} DESC LIMIT 1 BY {key}" : "";

    /// <summary>The column the table is partitioned by day of (exchange time; bucket start for candles).</summary>
    public string PartitionSourceColumn => Schema.Fields.First(f => f.Id == PartitionSpec.Fields[0].SourceId).Name;

    /// <summary>The SELECT list that exports the table's columns in schema order.</summary>
    public string SelectList => string.Join(", ", Columns.Select(c => c.SelectExpression));

    /// <summary>
    /// Field ids by Parquet column path as ClickHouse writes the file: top-level columns by name, a list's element as
    /// <c>&lt;column&gt;.list.element</c> (the middle repeated group carries no id).
    /// </summary>
    public IReadOnlyDictionary<string, int> ParquetFieldIds
    {
        get
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var column in Schema.Fields)
            {
                ids[column.Name] = column.Id;
                if (column.Type is ListType list)
                {
                    ids[$"{column.Name}.list.element"] = list.ElementId;
                }
            }

            return ids;
        }
    }
}

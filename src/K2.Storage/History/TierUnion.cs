using K2.Storage.Iceberg.Metadata;

namespace K2.Storage.History;

/// <summary>
/// The statements both histories run: a page over both tiers (<see cref="Select"/>), or over one where the other cannot
/// add to it (<see cref="SelectHot"/>, <see cref="SelectCold"/>), and a whole range for an export
/// (<see cref="SelectAll"/>). For a page, each tier is filtered on its own (instrument, time range, keyset position) and cut
/// to the page size in serving order: the hot table with FINAL (one row per key, its latest), the cold table with
/// <c>LIMIT 1 BY</c> key after ordering each key's rows latest first (it keeps every row version it was given). Cutting
/// each side first is exact: a key among the first n of the merged order is among the first n keys of each tier that
/// holds it, since the keys before it in that tier are before it in the merged order too, and a key's place in the order
/// is the same in both tiers (it is part of the key: trade id, or bucket start; a trade's exchange time does not change
/// between versions, which the hot table's partitioning by that time assumes as well). The union is then ordered again,
/// each key's latest row taken across the tiers, and cut. Both sides list the same columns in the same order (a UNION
/// matches by position), cast to one type each: the cold reader gives plain String where the hot table has
/// LowCardinality or Enum8 columns.
/// <para>
/// The hot side's FINAL merges within each day partition only (<c>do_not_merge_across_partitions_select_final</c>):
/// a key's versions share their partition, since the partition is the day of a time that is part of the key (bucket
/// start) or the same in every version (a trade's exchange time). Merging across partitions made the newest 100 trades
/// of a symbol with a million older trades in the hot tier 5 times slower (about 50 against 10 ms, the API benchmark's
/// probes).
/// </para>
/// </summary>
internal static class TierUnion
{
    /// <param name="table">The cold table; its hot table, columns, key and version column describe both tiers.</param>
    /// <param name="selectList">The outer SELECT list, over the table's columns.</param>
    /// <param name="hotDatabase">The hot store's database.</param>
    /// <param name="coldFunction">The cold table's table function, or null to read the hot tier alone.</param>
    /// <param name="filter">The WHERE condition both tiers share, on the table's columns.</param>
    /// <param name="order">The serving order: ORDER BY items that place every key once (without the version).</param>
    public static string Select(ColdTable table, string selectList, string hotDatabase, string? coldFunction, string filter, string order)
    {
        var tiers = coldFunction is null
            ? HotSide(table, hotDatabase, filter, order)
            : $"""
            ({HotSide(table, hotDatabase, filter, order)})
            UNION ALL
            ({ColdSide(table, coldFunction, filter, order)})
            """;
        return Outer(table, selectList, tiers, order);
    }

    /// <summary>
    /// The cold side of <see cref="Select"/> alone, as a statement of its own: a caller that merges the tiers itself
    /// (keeping cold pages, which never change for one snapshot) reads each key's latest cold row with it.
    /// </summary>
    public static string SelectCold(ColdTable table, string selectList, string coldFunction, string filter, string order) =>
        Outer(table, selectList, ColdSide(table, coldFunction, filter, order), order);

    /// <summary>
    /// The hot side of <see cref="Select"/> alone, as a statement of its own, for a read the cold tier cannot add to (or
    /// whose caller merges the tiers itself): FINAL leaves each key once, so the union's casts, second ordering and
    /// LIMIT BY would change nothing, and they cost about half of a one-day read of 1m candles (4.4 of 9.2 ms, the API
    /// benchmark's probes). The columns keep the hot table's types, Enum8 read as its name as in the union;
    /// a LowCardinality(String) is a plain String in RowBinary already.
    /// </summary>
    /// <param name="table">The cold table whose hot table, and filter within it, is read.</param>
    /// <param name="columns">Names of the table's columns to select.</param>
    /// <param name="hotDatabase">The hot store's database.</param>
    /// <param name="filter">The WHERE condition, on the table's columns.</param>
    /// <param name="order">The serving order: ORDER BY items that place every key once (without the version).</param>
    /// <exception cref="ArgumentException">A column is not one of the table's.</exception>
    public static string SelectHot(ColdTable table, IReadOnlyList<string> columns, string hotDatabase, string filter, string order)
    {
        var selectList = string.Join(", ", columns.Select(name =>
            table.Columns.FirstOrDefault(c => c.Name == name)?.SelectExpression
            ?? throw new ArgumentException($"{table.Name} has no column {name}.", nameof(columns))));
        return HotPage(table, selectList, hotDatabase, filter, order);
    }

    private static string HotSide(ColdTable table, string hotDatabase, string filter, string order) => $"""
        SELECT {Projection(table)} FROM
        (
            {HotPage(table, Columns(table), hotDatabase, filter, order)}
        )
        """;

    /// <summary>The page of each key's latest hot row: FINAL merges within each day partition only (see the class).</summary>
    private static string HotPage(ColdTable table, string selectList, string hotDatabase, string filter, string order) => $$"""
            SELECT {{selectList}} FROM {{hotDatabase}}.{{table.HotTable}} FINAL
            WHERE {{HotWhere(table, filter)}}
            ORDER BY {{order}}
            LIMIT {limit:UInt32}
            SETTINGS do_not_merge_across_partitions_select_final = 1
            """;

    /// <summary>The hot table's condition: <paramref name="filter"/>, and the table's own where one hot table feeds several cold ones.</summary>
    private static string HotWhere(ColdTable table, string filter) => table.HotFilter is { } only ? $"({only}) AND {filter}" : filter;

    private static string ColdSide(ColdTable table, string coldFunction, string filter, string order) => $$"""
        SELECT {{Projection(table)}} FROM
        (
            SELECT {{Columns(table)}} FROM {{coldFunction}}
            WHERE {{filter}}
            ORDER BY {{order}}, {{LatestFirst(table)}}
            LIMIT 1 BY {{Key(table)}}
            LIMIT {limit:UInt32}
        )
        """;

    private static string Outer(ColdTable table, string selectList, string tiers, string order) => $$"""
        SELECT {{selectList}} FROM
        (
        {{tiers}}
        )
        ORDER BY {{order}}, {{LatestFirst(table)}}
        LIMIT 1 BY {{Key(table)}}
        LIMIT {limit:UInt32}
        """;

    /// <summary>
    /// The table's key within one instrument: every statement here reads one exchange's symbol (see
    /// <see cref="InstrumentRange"/>), so deduplicating on the key's other columns alone is the same, and hashes one
    /// column rather than three (LIMIT 1 BY over a day of 250,000 cold trades took 0.49-0.66 s instead of 0.83-1.21 s,
    /// three runs each on a loaded machine).
    /// </summary>
    private static string Key(ColdTable table) =>
        string.Join(", ", (table.ReplacingKey ?? throw new ArgumentException($"{table.Name} keeps no latest row per key.", nameof(table)))
            .Split(',', StringSplitOptions.TrimEntries)
            .Where(column => column is not ("exchange" or "symbol")));

    private static string Columns(ColdTable table) => string.Join(", ", table.Columns.Select(c => c.Name));

    private static string Projection(ColdTable table) =>
        string.Join(", ", table.Columns.Select(c => $"CAST({c.Name} AS {UnionType(c.ClickHouseType)}) AS {c.Name}"));

    /// <summary>A key's rows latest first: the version column, then (for equal versions, as a ReplacingMergeTree keeps the last insert) the landing time.</summary>
    private static string LatestFirst(ColdTable table) => table.LatestRowOrder == table.IngestTimeColumn
        ? $"{table.IngestTimeColumn} DESC"
        : $"{table.LatestRowOrder} DESC, {table.IngestTimeColumn} DESC";

    /// <summary>
    /// The conditions every history read starts from: the instrument (<c>{exchange}</c>, <c>{symbol}</c>) and, on
    /// <paramref name="timeColumn"/>, the range's bounds (<c>{from}</c> inclusive, <c>{to}</c> exclusive) and a
    /// look-back window's start (<c>{since}</c>) where given. The caller adds its keyset position.
    /// </summary>
    public static List<string> InstrumentRange(string timeColumn, bool from, bool to, bool since)
    {
        const string Time = "DateTime64(6, 'UTC')";
        List<string> filter = ["exchange = {exchange:String}", "symbol = {symbol:String}"];
        if (from)
        {
            filter.Add($"{timeColumn} >= {{from:{Time}}}");
        }

        if (to)
        {
            filter.Add($"{timeColumn} < {{to:{Time}}}");
        }

        if (since)
        {
            filter.Add($"{timeColumn} >= {{since:{Time}}}");
        }

        return filter;
    }

    /// <summary>The tier number <see cref="Bounds"/> gives the hot tier's row; the cold tier's is 1.</summary>
    internal const byte HotTier = 0;

    /// <summary>
    /// Per tier and UTC hour of <paramref name="timeColumn"/>, the earliest and latest time of the rows that tier holds
    /// under <paramref name="filter"/> in that hour, and how many: rows of the hot tier (<see cref="HotTier"/>), then of
    /// the cold tier when <paramref name="coldFunction"/> is given; an hour without rows has none. Versions are not told
    /// apart: an export only needs where its range's rows are in each tier, to walk no empty stretch, to read no tier a
    /// window lacks, and to size its windows by rows.
    /// </summary>
    public static string Bounds(ColdTable table, string hotDatabase, string? coldFunction, string filter, string timeColumn)
    {
        var perHour = $"min({timeColumn}), max({timeColumn}), count()";
        var tiers = $"SELECT toUInt8({HotTier}), {perHour} FROM {hotDatabase}.{table.HotTable} WHERE {HotWhere(table, filter)} GROUP BY toStartOfHour({timeColumn})";
        return coldFunction is null
            ? tiers
            : $"{tiers}\nUNION ALL SELECT toUInt8(1), {perHour} FROM {coldFunction} WHERE {filter} GROUP BY toStartOfHour({timeColumn})";
    }

    /// <summary>
    /// Every row of a range, each key once at its latest, for an export. The tiers' rows (the hot ones through FINAL) are
    /// sorted once and deduplicated once: <see cref="Select"/> cuts each side to the page first, which pays for a page of
    /// a long range but, over a whole range, sorts every row twice and deduplicates it twice (a day of 250,000 cold trades
    /// took about twice as long). A tier the caller knows holds no row of the range is left out, and the hot tier alone
    /// needs no deduplication.
    /// </summary>
    /// <param name="table">The cold table; its hot table, columns, key and version column describe both tiers.</param>
    /// <param name="selectList">The outer SELECT list, over the table's columns.</param>
    /// <param name="hotDatabase">The hot store's database.</param>
    /// <param name="hot">Whether to read the hot tier.</param>
    /// <param name="coldFunction">The cold table's table function, or null to leave the cold tier out.</param>
    /// <param name="filter">The WHERE condition both tiers share, on the table's columns.</param>
    /// <param name="order">The serving order: ORDER BY items that place every key once (without the version).</param>
    /// <exception cref="ArgumentException">Neither tier is read.</exception>
    public static string SelectAll(ColdTable table, string selectList, string hotDatabase, bool hot, string? coldFunction, string filter, string order)
    {
        List<string> tiers = [];
        if (hot)
        {
            tiers.Add($"(SELECT {Projection(table)} FROM {hotDatabase}.{table.HotTable} FINAL WHERE {HotWhere(table, filter)} " +
                      "SETTINGS do_not_merge_across_partitions_select_final = 1)");
        }

        if (coldFunction is not null)
        {
            tiers.Add($"(SELECT {Projection(table)} FROM {coldFunction} WHERE {filter})");
        }

        if (tiers.Count == 0)
        {
            throw new ArgumentException("An export reads at least one tier.", nameof(hot));
        }

        var latest = coldFunction is null ? "" : $", {LatestFirst(table)}\nLIMIT 1 BY {Key(table)}";
        return $"SELECT {selectList} FROM\n(\n{string.Join("\nUNION ALL\n", tiers)}\n)\nORDER BY {order}{latest}";
    }

    /// <summary>The type both tiers are read as: the hot type, with LowCardinality and Enum8 columns as the String the cold reader gives.</summary>
    private static string UnionType(string hotType) =>
        hotType.StartsWith("LowCardinality(String)", StringComparison.Ordinal) || hotType.StartsWith("Enum8(", StringComparison.Ordinal) ? "String" : hotType;
}

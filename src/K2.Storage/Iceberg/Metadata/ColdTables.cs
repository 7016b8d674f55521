using K2.Core;
using K2.Core.Candles;

namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// The ten cold tables, derived from the hot tables of <see cref="Schema.HotStoreMigrations"/>: the same columns in the
/// same order, with field ids 1..n in that order and list element ids after the last column. Candles get one table
/// per timeframe, so the hot <c>timeframe</c> column is not stored (it is the table name). Partitions are by day of
/// exchange time for silver, of receipt time for bronze (its hot partition key: a rejected trade may have no
/// exchange time) and of bucket start for candles.
/// </summary>
public static class ColdTables
{
    public const string Namespace = "cold";

    private static readonly (string Name, string Type)[] SilverColumns =
    [
        ("exchange", "LowCardinality(String)"),
        ("symbol", "LowCardinality(String)"),
        ("raw_symbol", "LowCardinality(String)"),
        ("trade_id", "String"),
        ("price", "Decimal(18, 8)"),
        ("quantity", "Decimal(18, 8)"),
        ("side", "Enum8('buy' = 1, 'sell' = 2)"),
        ("exchange_ts", "DateTime64(6, 'UTC')"),
        ("receipt_ts", "DateTime64(6, 'UTC')"),
        ("ingest_ts", "DateTime64(6, 'UTC')"),
    ];

    private static readonly (string Name, string Type)[] BronzeColumns =
    [
        ("receipt_ts", "DateTime64(6, 'UTC')"),
        ("source", "Enum8('websocket' = 1, 'rest' = 2)"),
        ("connection_id", "String"),
        ("frame_seq", "Int64"),
        ("trade_index", "Int32"),
        ("raw_symbol", "String"),
        ("symbol", "LowCardinality(String)"),
        ("trade_id", "String"),
        ("price", "Nullable(Decimal(18, 8))"),
        ("quantity", "Nullable(Decimal(18, 8))"),
        ("side", "Nullable(Enum8('buy' = 1, 'sell' = 2))"),
        ("exchange_ts", "Nullable(DateTime64(6, 'UTC'))"),
        ("raw_frame", "String"),
        ("reject_reason", "LowCardinality(String)"),
        ("validation_errors", "Array(String)"),
        ("ingest_ts", "DateTime64(6, 'UTC')"),
    ];

    /// <summary>The hot <c>ohlcv</c> columns without <c>timeframe</c>.</summary>
    private static readonly (string Name, string Type)[] CandleColumns =
    [
        ("exchange", "LowCardinality(String)"),
        ("symbol", "LowCardinality(String)"),
        ("bucket_start", "DateTime64(6, 'UTC')"),
        ("open", "Decimal(18, 8)"),
        ("high", "Decimal(18, 8)"),
        ("low", "Decimal(18, 8)"),
        ("close", "Decimal(18, 8)"),
        ("volume", "Decimal(38, 8)"),
        ("quote_volume", "Decimal(38, 16)"),
        ("buy_volume", "Decimal(38, 8)"),
        ("sell_volume", "Decimal(38, 8)"),
        ("trade_count", "Int64"),
        ("vwap", "Decimal(38, 16)"),
        ("version", "Int64"),
        ("updated_at", "DateTime64(6, 'UTC')"),
    ];

    public static ColdTable SilverTrades { get; } =
        Define("silver_trades", "silver_trades", null, "ingest_ts", SilverColumns, "exchange_ts") with { ReplacingKey = "exchange, symbol, trade_id", ReplacingVersion = "ingest_ts" };

    /// <summary>Bronze trades of <paramref name="exchange"/>: <c>cold.bronze_trades_&lt;exchange&gt;</c>.</summary>
    public static ColdTable BronzeTrades(Exchange exchange) =>
        Define($"bronze_trades_{exchange.ToName()}", $"bronze_trades_{exchange.ToName()}", null, "ingest_ts", BronzeColumns, "receipt_ts");

    /// <summary>
    /// Candles of <paramref name="timeframe"/>: <c>cold.gold_ohlcv_&lt;tf&gt;</c>, the hot <c>ohlcv</c> rows of that timeframe,
    /// sliced by <c>updated_at</c> (candles have no ingest time; a correction is a new row with a later one).
    /// </summary>
    public static ColdTable GoldOhlcv(Timeframe timeframe) =>
        Define($"gold_ohlcv_{timeframe.ToName()}", "ohlcv", $"timeframe = '{timeframe.ToName()}'", "updated_at", CandleColumns, "bucket_start")
            with { ReplacingKey = "exchange, symbol, bucket_start", ReplacingVersion = "version", OffloadsLatestRowPerKey = true };

    /// <summary>All ten, bronze first, then silver, then gold: the order an offload cycle runs them in.</summary>
    public static IReadOnlyList<ColdTable> All { get; } =
    [
        .. ExchangeNames.All.Select(BronzeTrades),
        SilverTrades,
        .. Timeframes.All.Select(GoldOhlcv),
    ];

    private static ColdTable Define(string name, string hotTable, string? hotFilter, string ingestTimeColumn, (string Name, string Type)[] columns, string partitionColumn)
    {
        var nextNestedId = columns.Length + 1;
        var cold = new List<ColdColumn>(columns.Length);
        for (var i = 0; i < columns.Length; i++)
        {
            cold.Add(new ColdColumn(columns[i].Name, columns[i].Type, ClickHouseTypeMapping.ToField(i + 1, columns[i].Name, columns[i].Type, ref nextNestedId)));
        }

        var schema = new IcebergSchema(0, [.. cold.Select(c => c.Field)]);
        return new ColdTable(Namespace, name, hotTable, hotFilter, ingestTimeColumn, cold, schema, PartitionSpec.DayOf(schema.Field(partitionColumn)));
    }
}

using System.Globalization;
using K2.Storage.ClickHouse;

namespace K2.Storage.Tests.Iceberg.Parquet;

/// <summary>
/// Parquet written by the real engine (chDB) the way the cold tier has it write data files: <c>FORMAT Parquet</c>
/// with zstd, over every column type K2's tables use, with nulls, empty and non-empty arrays, negative decimals and
/// several row groups.
/// </summary>
internal static class ClickHouseParquetSample
{
    public const int Rows = 2_500;

    public const int RowsPerGroup = 1_000;

    /// <summary>The columns as <c>file()</c> reads them back, in order.</summary>
    public const string Structure =
        "symbol String, exchange LowCardinality(String), price Decimal(18, 8), notional Decimal(38, 8), " +
        "ratio Decimal(38, 16), ts DateTime64(6, 'UTC'), trade_id Int64, seq Int32, side Enum8('buy' = 1, 'sell' = 2), " +
        "fee Nullable(Decimal(18, 8)), settled_at Nullable(DateTime64(6, 'UTC')), validation_errors Array(String)";

    /// <summary>The rows, computed from <c>number</c> so any reader can recompute them.</summary>
    public static readonly string Select = $"""
        SELECT
            concat('SYM', toString(number % 17)) AS symbol,
            toLowCardinality(['binance', 'kraken', 'coinbase'][number % 3 + 1]) AS exchange,
            CAST(concat(if(number % 2 = 0, '-', ''), toString(number), '.12345678') AS Decimal(18, 8)) AS price,
            CAST(concat(toString(number * 1000000007), '.87654321') AS Decimal(38, 8)) AS notional,
            CAST(concat('0.', leftPad(toString(number), 16, '0')) AS Decimal(38, 16)) AS ratio,
            toDateTime64('2026-08-20 00:00:00', 6, 'UTC') + toIntervalMicrosecond(number * 1234567) AS ts,
            toInt64(number) * 1000003 - 1000000000 AS trade_id,
            CAST(toInt64(number) - 1000 AS Int32) AS seq,
            CAST(if(number % 3 = 0, 'sell', 'buy') AS Enum8('buy' = 1, 'sell' = 2)) AS side,
            if(number % 5 = 0, NULL, CAST(concat(toString(number % 100), '.5') AS Nullable(Decimal(18, 8)))) AS fee,
            if(number % 7 = 0, NULL, toDateTime64('2026-08-21 00:00:00', 6, 'UTC') + toIntervalSecond(number)) AS settled_at,
            arrayMap(i -> concat('error ', toString(i)), range(number % 4)) AS validation_errors
        FROM numbers({Rows.ToString(CultureInfo.InvariantCulture)})
        ORDER BY number
        """;

    /// <summary>Iceberg-style ids: 1–12 for the top-level columns, 13 for the list element; the list's repeated level has none.</summary>
    public static int? IcebergFieldId(IReadOnlyList<string> path) =>
        string.Join('.', path) switch
        {
            "symbol" => 1,
            "exchange" => 2,
            "price" => 3,
            "notional" => 4,
            "ratio" => 5,
            "ts" => 6,
            "trade_id" => 7,
            "seq" => 8,
            "side" => 9,
            "fee" => 10,
            "settled_at" => 11,
            "validation_errors" => 12,
            "validation_errors.list.element" => 13,
            _ => null,
        };

    public static Task<byte[]> WriteAsync(IClickHouseClient clickHouse, CancellationToken cancellationToken) =>
        clickHouse.QueryAsync(
            $"{Select} SETTINGS output_format_parquet_compression_method = 'zstd', output_format_parquet_row_group_size = {RowsPerGroup}",
            null,
            "Parquet",
            bytes => bytes.ToArray(),
            cancellationToken);
}

namespace K2.Storage.ClickHouse;

/// <summary>ClickHouse data formats K2 uses (https://clickhouse.com/docs/interfaces/formats).</summary>
public static class ClickHouseFormats
{
    /// <summary>Rows as native little-endian values, no names or types; the fastest way in and out.</summary>
    public const string RowBinary = "RowBinary";

    /// <summary>Tab-separated text, used for small scalar results.</summary>
    public const string TabSeparated = "TabSeparated";

    /// <summary>RFC 4180-style comma-separated values, without a header line.</summary>
    public const string Csv = "CSV";

    /// <summary><see cref="Csv"/> with one header line of column names.</summary>
    public const string CsvWithNames = "CSVWithNames";

    /// <summary>One JSON object per row and line (newline-delimited JSON).</summary>
    public const string JsonEachRow = "JSONEachRow";

    /// <summary>An Apache Parquet file.</summary>
    public const string Parquet = "Parquet";

    /// <summary>
    /// The formats <see cref="IClickHouseClient.QueryStreamAsync"/> takes: those whose streamed pieces both transports
    /// can make into one document. chDB streams one piece per block, and formats with a header or footer repeat it in
    /// each (<see cref="CsvWithNames"/>'s header and <see cref="Parquet"/>'s whole file are joined back into one);
    /// other such formats (JSON, TSVWithNames, Arrow…) are refused rather than streamed broken.
    /// </summary>
    public static IReadOnlySet<string> Streamable { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        RowBinary, TabSeparated, Csv, CsvWithNames, JsonEachRow, Parquet,
    };

    /// <exception cref="ArgumentException"><paramref name="format"/> is not in <see cref="Streamable"/>.</exception>
    public static void ThrowIfNotStreamable(string format)
    {
        if (!Streamable.Contains(format))
        {
            throw new ArgumentException(
                $"Format '{format}' cannot be streamed; use one of {string.Join(", ", Streamable.Order(StringComparer.Ordinal))}.", nameof(format));
        }
    }
}

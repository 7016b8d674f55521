namespace K2.Storage.ClickHouse;

/// <summary>ClickHouse data formats K2 uses (https://clickhouse.com/docs/interfaces/formats).</summary>
public static class ClickHouseFormats
{
    /// <summary>Rows as native little-endian values, no names or types; the fastest way in and out.</summary>
    public const string RowBinary = "RowBinary";

    /// <summary>Tab-separated text, used for small scalar results.</summary>
    public const string TabSeparated = "TabSeparated";
}

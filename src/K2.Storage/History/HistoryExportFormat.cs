namespace K2.Storage.History;

/// <summary>The streamed forms of a history range.</summary>
public enum HistoryExportFormat
{
    /// <summary>RFC 4180 CSV with a header line of column names.</summary>
    Csv,

    /// <summary>One JSON object per line, values as the JSON API writes them (decimals and times as strings).</summary>
    Ndjson,

    /// <summary>One Parquet file.</summary>
    Parquet,
}

using K2.Storage.ClickHouse;

namespace K2.Storage.History;

/// <summary>
/// A history read as ClickHouse runs it: the statement without a FORMAT clause (the caller picks the format: RowBinary
/// to decode, CSV or Parquet to stream out) and the values of its placeholders.
/// </summary>
public sealed record HistorySql(string Text, ClickHouseParameters Parameters);

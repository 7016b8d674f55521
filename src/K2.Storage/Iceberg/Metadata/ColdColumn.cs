namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// One column of a cold table: its hot-store name and ClickHouse type, the Iceberg field it becomes, and the
/// expression that selects it for a Parquet export.
/// </summary>
public sealed record ColdColumn(string Name, string ClickHouseType, SchemaField Field)
{
    /// <summary>
    /// The SELECT item for <c>SELECT ... FORMAT Parquet</c>. Enums are selected as their names: ClickHouse writes an
    /// Enum8 to Parquet as its number, and the Iceberg column is a string.
    /// </summary>
    public string SelectExpression => ClickHouseType.Contains("Enum8(", StringComparison.Ordinal)
        ? $"toString({Name}) AS {Name}"
        : Name;
}

namespace K2.Storage.Iceberg.Parquet;

/// <summary>
/// One element of a Parquet schema (below the root), as the footer states it. <see cref="Path"/> is the names
/// from the top-level column down, e.g. <c>["validation_errors", "list", "element"]</c>, which is also how a
/// leaf's column chunks name it.
/// </summary>
public sealed record ParquetSchemaElement(
    IReadOnlyList<string> Path,
    ParquetRepetition? Repetition,
    int? FieldId,
    int ChildCount,
    ParquetPhysicalType? PhysicalType,
    int? TypeLength,
    ParquetConvertedType? ConvertedType,
    int? Scale,
    int? Precision,
    ParquetLogicalType? LogicalType)
{
    public string Name => Path[^1];

    /// <summary>A leaf holds values (and column chunks); a group holds other elements.</summary>
    public bool IsLeaf => ChildCount == 0;

    public override string ToString() =>
        $"{string.Join('.', Path)} {Repetition} {(IsLeaf ? PhysicalType.ToString() : $"group({ChildCount})")} id={FieldId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}";
}

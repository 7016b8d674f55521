namespace K2.Storage.Iceberg.Parquet;

/// <summary>Parquet's <c>FieldRepetitionType</c>: required, optional (nullable) or repeated (a list level).</summary>
public enum ParquetRepetition
{
    Required = 0,
    Optional = 1,
    Repeated = 2,
}

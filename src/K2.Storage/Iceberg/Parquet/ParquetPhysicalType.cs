namespace K2.Storage.Iceberg.Parquet;

/// <summary>Parquet's <c>Type</c> enum: how a leaf column's values are stored.</summary>
public enum ParquetPhysicalType
{
    Boolean = 0,
    Int32 = 1,
    Int64 = 2,
    Int96 = 3,
    Float = 4,
    Double = 5,
    ByteArray = 6,
    FixedLenByteArray = 7,
}

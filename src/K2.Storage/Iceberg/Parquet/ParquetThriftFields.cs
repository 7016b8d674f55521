namespace K2.Storage.Iceberg.Parquet;

// Thrift field ids of the parquet-format structs K2 reads or changes (apache/parquet-format src/main/thrift/parquet.thrift).
// Every other field passes through the footer rewrite untouched.

internal static class FileMetaDataField
{
    public const short Version = 1;
    public const short Schema = 2;
    public const short NumRows = 3;
    public const short RowGroups = 4;
    public const short KeyValueMetadata = 5;
    public const short CreatedBy = 6;
    public const short ColumnOrders = 7;
    public const short EncryptionAlgorithm = 8;
    public const short FooterSigningKeyMetadata = 9;
}

internal static class SchemaElementField
{
    public const short Type = 1;
    public const short TypeLength = 2;
    public const short RepetitionType = 3;
    public const short Name = 4;
    public const short NumChildren = 5;
    public const short ConvertedType = 6;
    public const short Scale = 7;
    public const short Precision = 8;
    public const short FieldId = 9;
    public const short LogicalType = 10;
}

internal static class RowGroupField
{
    public const short Columns = 1;
    public const short TotalByteSize = 2;
    public const short NumRows = 3;
    public const short FileOffset = 5;
    public const short TotalCompressedSize = 6;
    public const short Ordinal = 7;
}

internal static class ColumnChunkField
{
    public const short FileOffset = 2;
    public const short MetaData = 3;
    public const short OffsetIndexOffset = 4;
    public const short OffsetIndexLength = 5;
    public const short ColumnIndexOffset = 6;
    public const short ColumnIndexLength = 7;
    public const short CryptoMetadata = 8;
    public const short EncryptedColumnMetadata = 9;
}

internal static class ColumnMetaDataField
{
    public const short Type = 1;
    public const short PathInSchema = 3;
    public const short Codec = 4;
    public const short NumValues = 5;
    public const short TotalUncompressedSize = 6;
    public const short TotalCompressedSize = 7;
    public const short DataPageOffset = 9;
    public const short IndexPageOffset = 10;
    public const short DictionaryPageOffset = 11;
    public const short Statistics = 12;
    public const short BloomFilterOffset = 14;
    public const short BloomFilterLength = 15;
}

internal static class StatisticsField
{
    public const short Max = 1;
    public const short Min = 2;
    public const short NullCount = 3;
    public const short DistinctCount = 4;
    public const short MaxValue = 5;
    public const short MinValue = 6;
    public const short IsMaxValueExact = 7;
    public const short IsMinValueExact = 8;
}

/// <summary>Fields shared by the LogicalType members that have any (DecimalType, TimestampType, TimeType, IntType).</summary>
internal static class LogicalTypeMemberField
{
    public const short DecimalScale = 1;
    public const short DecimalPrecision = 2;
    public const short TimeIsAdjustedToUtc = 1;
    public const short TimeUnit = 2;
    public const short IntBitWidth = 1;
    public const short IntIsSigned = 2;
}

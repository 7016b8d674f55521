namespace K2.Storage.Iceberg.Parquet;

/// <summary>Parquet's <c>CompressionCodec</c> of a column chunk.</summary>
public enum ParquetCompressionCodec
{
    Uncompressed = 0,
    Snappy = 1,
    Gzip = 2,
    Lzo = 3,
    Brotli = 4,
    Lz4 = 5,
    Zstd = 6,
    Lz4Raw = 7,
}

namespace K2.Storage.Iceberg.Avro;

/// <summary>The block codecs every Avro implementation must support (<c>avro.codec</c> "null" and "deflate").</summary>
public enum AvroCodec
{
    /// <summary>Blocks stored as they are.</summary>
    Null,

    /// <summary>Blocks compressed with raw DEFLATE (RFC 1951: no zlib header, no checksum).</summary>
    Deflate,
}

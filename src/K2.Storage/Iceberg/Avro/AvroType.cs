namespace K2.Storage.Iceberg.Avro;

/// <summary>The Avro schema kinds this codec encodes and decodes (every kind of the Avro 1.11 specification).</summary>
public enum AvroType
{
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record,
    Enum,
    Array,
    Map,
    Union,
    Fixed,
}

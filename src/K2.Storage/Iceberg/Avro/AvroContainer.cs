namespace K2.Storage.Iceberg.Avro;

/// <summary>The framing of an Avro object container file (specification section "Object Container Files").</summary>
internal static class AvroContainer
{
    /// <summary>"Obj" followed by the format version byte 1.</summary>
    public static ReadOnlySpan<byte> Magic => "Obj\u0001"u8;

    public const int SyncSize = 16;

    public const string SchemaKey = "avro.schema";

    public const string CodecKey = "avro.codec";

    /// <summary>The schema of the header's metadata: a map whose values are bytes.</summary>
    public static readonly AvroMapSchema MetadataSchema = new(new AvroPrimitiveSchema(AvroType.Bytes));

    public static string CodecName(AvroCodec codec) => codec switch
    {
        AvroCodec.Null => "null",
        AvroCodec.Deflate => "deflate",
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unknown Avro codec."),
    };
}

using System.Text;

namespace K2.Storage.Iceberg.Avro;

/// <summary>A container file read whole: its writer schema, header metadata, codec and records.</summary>
public sealed record AvroContainerFile(
    AvroSchema Schema,
    string SchemaJson,
    IReadOnlyDictionary<string, byte[]> Metadata,
    AvroCodec Codec,
    IReadOnlyList<object?> Records)
{
    /// <summary>A metadata value decoded as UTF-8 (Iceberg stores its header keys that way), or null when absent.</summary>
    public string? GetMetadataString(string key) =>
        Metadata.TryGetValue(key, out var value) ? Encoding.UTF8.GetString(value) : null;
}

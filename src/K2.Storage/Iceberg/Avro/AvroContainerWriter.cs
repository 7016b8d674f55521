using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace K2.Storage.Iceberg.Avro;

/// <summary>
/// Writes an Avro object container file: magic, the metadata map (<c>avro.schema</c>, <c>avro.codec</c> and the
/// caller's keys), a random 16-byte sync marker, then blocks of (record count, byte size, records, sync marker).
/// </summary>
public static class AvroContainerWriter
{
    /// <summary>Records are gathered into a block until it holds about this many encoded bytes (the Java default is 64 KiB).</summary>
    public const int DefaultBlockSize = 64 * 1024;

    /// <summary>
    /// Writes <paramref name="records"/> (values of <paramref name="schemaJson"/>, in the model of <see cref="AvroDatum"/>)
    /// as one container file. <paramref name="metadata"/> values are stored as UTF-8; keys starting with <c>avro.</c>
    /// are reserved to Avro and refused.
    /// </summary>
    public static void Write(
        Stream output,
        string schemaJson,
        IReadOnlyDictionary<string, string> metadata,
        IEnumerable<object?> records,
        AvroCodec codec,
        int blockSize = DefaultBlockSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        var schema = AvroSchema.Parse(schemaJson);

        var header = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [AvroContainer.SchemaKey] = Encoding.UTF8.GetBytes(schemaJson),
            [AvroContainer.CodecKey] = Encoding.UTF8.GetBytes(AvroContainer.CodecName(codec)),
        };
        foreach (var (key, value) in metadata)
        {
            if (key.StartsWith("avro.", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Avro metadata key \"{key}\" is reserved to Avro.", nameof(metadata));
            }

            header[key] = Encoding.UTF8.GetBytes(value);
        }

        var sync = new byte[AvroContainer.SyncSize];
        RandomNumberGenerator.Fill(sync);

        var writer = new AvroBinaryWriter();
        writer.WriteRaw(AvroContainer.Magic);
        AvroDatum.Write(writer, AvroContainer.MetadataSchema, header);
        writer.WriteRaw(sync);
        output.Write(writer.Written);

        var block = new AvroBinaryWriter();
        var count = 0L;
        foreach (var record in records)
        {
            AvroDatum.Write(block, schema, record);
            count++;
            if (block.Length >= blockSize)
            {
                WriteBlock(output, count, block.Written, sync, codec);
                block.Clear();
                count = 0;
            }
        }

        if (count > 0)
        {
            WriteBlock(output, count, block.Written, sync, codec);
        }
    }

    private static void WriteBlock(Stream output, long count, ReadOnlySpan<byte> records, byte[] sync, AvroCodec codec)
    {
        var payload = codec == AvroCodec.Deflate ? Deflate(records) : records;
        var framing = new AvroBinaryWriter();
        framing.WriteLong(count);
        framing.WriteLong(payload.Length);
        output.Write(framing.Written);
        output.Write(payload);
        output.Write(sync);
    }

    private static byte[] Deflate(ReadOnlySpan<byte> data)
    {
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(data);
        }

        return compressed.ToArray();
    }
}

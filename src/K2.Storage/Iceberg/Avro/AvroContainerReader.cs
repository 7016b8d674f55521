using System.IO.Compression;
using System.Text;

namespace K2.Storage.Iceberg.Avro;

/// <summary>
/// Reads an Avro object container file with the null or deflate codec into the value model of
/// <see cref="AvroDatum"/>. Anything malformed (bad magic, truncation, a block larger than the file, a wrong sync
/// marker, records that do not fill their block exactly, an unknown codec) throws <see cref="FormatException"/>.
/// </summary>
public static class AvroContainerReader
{
    /// <summary>Largest decompressed block accepted, so a tiny corrupt or hostile block cannot exhaust memory.</summary>
    public const int MaxBlockSize = 256 * 1024 * 1024;

    public static AvroContainerFile Read(ReadOnlySpan<byte> file)
    {
        if (file.Length < AvroContainer.Magic.Length || !file[..AvroContainer.Magic.Length].SequenceEqual(AvroContainer.Magic))
        {
            throw new FormatException("Not an Avro container file: it does not start with the magic bytes 'O' 'b' 'j' 1.");
        }

        var reader = new AvroBinaryReader(file[AvroContainer.Magic.Length..]);
        var header = (Dictionary<string, object?>)AvroDatum.Read(ref reader, AvroContainer.MetadataSchema)!;
        var metadata = header.ToDictionary(e => e.Key, e => (byte[])e.Value!, StringComparer.Ordinal);
        var sync = reader.ReadFixed(AvroContainer.SyncSize);

        if (!metadata.TryGetValue(AvroContainer.SchemaKey, out var schemaBytes))
        {
            throw new FormatException($"Avro container header has no \"{AvroContainer.SchemaKey}\".");
        }

        var schemaJson = Utf8(schemaBytes, AvroContainer.SchemaKey);
        var schema = AvroSchema.Parse(schemaJson);
        var codec = ParseCodec(metadata.TryGetValue(AvroContainer.CodecKey, out var codecBytes) ? Utf8(codecBytes, AvroContainer.CodecKey) : "null");

        var records = new List<object?>();
        for (var blockIndex = 0; !reader.End; blockIndex++)
        {
            var blockStart = AvroContainer.Magic.Length + reader.Position;
            var count = reader.ReadLong();
            var size = reader.ReadLong();
            if (count < 0 || size < 0)
            {
                throw new FormatException($"Avro block {blockIndex} at byte {blockStart} has a negative record count ({count}) or size ({size}).");
            }

            if (size > reader.Remaining - AvroContainer.SyncSize)
            {
                throw new FormatException(
                    $"Avro block {blockIndex} at byte {blockStart} claims {size} bytes, beyond the end of the file ({reader.Remaining} bytes remain, including the sync marker).");
            }

            var payload = reader.ReadFixed((int)size);
            var data = codec == AvroCodec.Deflate ? Inflate(payload, blockIndex) : payload;
            ReadBlockRecords(data, count, schema, blockIndex, records);

            if (!reader.ReadFixed(AvroContainer.SyncSize).SequenceEqual(sync))
            {
                throw new FormatException($"Avro block {blockIndex} at byte {blockStart} is not followed by the file's sync marker.");
            }
        }

        return new AvroContainerFile(schema, schemaJson, metadata, codec, records);
    }

    private static void ReadBlockRecords(ReadOnlySpan<byte> data, long count, AvroSchema schema, int blockIndex, List<object?> records)
    {
        var minRecordSize = AvroDatum.MinEncodedSize(schema);
        var limit = minRecordSize == 0 ? AvroDatum.MaxZeroWidthItemsPerBlock : data.Length / minRecordSize;
        if (count > limit)
        {
            throw new FormatException($"Avro block {blockIndex} claims {count} records, more than its {data.Length} bytes can hold.");
        }

        var reader = new AvroBinaryReader(data);
        for (var i = 0L; i < count; i++)
        {
            try
            {
                records.Add(AvroDatum.Read(ref reader, schema));
            }
            catch (FormatException e)
            {
                throw new FormatException($"Avro block {blockIndex}, record {i}: {e.Message}", e);
            }
        }

        if (!reader.End)
        {
            throw new FormatException($"Avro block {blockIndex} has {reader.Remaining} bytes left after its {count} records.");
        }
    }

    private static byte[] Inflate(ReadOnlySpan<byte> compressed, int blockIndex)
    {
        using var input = new MemoryStream(compressed.ToArray());
        using var deflate = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        try
        {
            int read;
            while ((read = deflate.Read(buffer)) > 0)
            {
                if (output.Length + read > MaxBlockSize)
                {
                    throw new FormatException($"Avro block {blockIndex} inflates to more than {MaxBlockSize} bytes.");
                }

                output.Write(buffer, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            throw new FormatException($"Avro block {blockIndex} is not valid DEFLATE data: {e.Message}", e);
        }

        return output.ToArray();
    }

    private static AvroCodec ParseCodec(string name) => name switch
    {
        "null" => AvroCodec.Null,
        "deflate" => AvroCodec.Deflate,
        _ => throw new FormatException($"Avro codec \"{name}\" is not supported; K2 reads \"null\" and \"deflate\"."),
    };

    private static string Utf8(byte[] bytes, string key)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"Avro header value \"{key}\" is not valid UTF-8.", e);
        }
    }
}

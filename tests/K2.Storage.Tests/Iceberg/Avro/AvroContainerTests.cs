using System.Text;
using K2.Storage.Iceberg.Avro;

namespace K2.Storage.Tests.Iceberg.Avro;

public sealed class AvroContainerTests
{
    private static byte[] WriteFile(AvroCodec codec, int count, int blockSize = AvroContainerWriter.DefaultBlockSize, Dictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        AvroContainerWriter.Write(
            stream, EverythingSchema.Json, metadata ?? new Dictionary<string, string> { ["k2"] = "yes" },
            Enumerable.Range(0, count).Select(k => (object?)EverythingSchema.Record(k)), codec, blockSize);
        return stream.ToArray();
    }

    /// <summary>Where the first block starts: after the magic, the metadata map and the 16-byte sync marker.</summary>
    private static int HeaderLength(byte[] file)
    {
        var reader = new AvroBinaryReader(file.AsSpan(4));
        AvroDatum.Read(ref reader, new AvroMapSchema(new AvroPrimitiveSchema(AvroType.Bytes)));
        return 4 + reader.Position + 16;
    }

    [Theory]
    [InlineData(AvroCodec.Null, 1)]
    [InlineData(AvroCodec.Deflate, 1)]
    [InlineData(AvroCodec.Null, 200)]
    [InlineData(AvroCodec.Deflate, 200)]
    public void Every_kind_of_value_round_trips_through_a_file_across_blocks(AvroCodec codec, int blockSize)
    {
        var file = WriteFile(codec, 50, blockSize);

        var read = AvroContainerReader.Read(file);

        read.Codec.ShouldBe(codec);
        read.GetMetadataString("k2").ShouldBe("yes");
        read.GetMetadataString("avro.codec").ShouldBe(codec == AvroCodec.Null ? "null" : "deflate");
        read.SchemaJson.ShouldBe(EverythingSchema.Json);
        read.Records.Count.ShouldBe(50);
        for (var k = 0; k < 50; k++)
        {
            EverythingSchema.ShouldEqual(read.Records[k], EverythingSchema.Record(k));
        }
    }

    [Fact]
    public void A_file_starts_with_the_magic_and_small_blocks_make_many_blocks()
    {
        var oneBlock = WriteFile(AvroCodec.Null, 50);
        var manyBlocks = WriteFile(AvroCodec.Null, 50, blockSize: 1);

        oneBlock[..4].ShouldBe("Obj\u0001"u8.ToArray());
        // Blocks of one byte close after every record: 50 blocks, each with its own count, size and sync marker.
        BlockRecordCounts(oneBlock).ShouldBe([50]);
        BlockRecordCounts(manyBlocks).ShouldBe(Enumerable.Repeat(1L, 50));
        AvroContainerReader.Read(manyBlocks).Records.Count.ShouldBe(50);
    }

    [Fact]
    public void An_empty_file_has_a_header_and_no_blocks()
    {
        var file = WriteFile(AvroCodec.Deflate, 0);

        file.Length.ShouldBe(HeaderLength(file));
        AvroContainerReader.Read(file).Records.ShouldBeEmpty();
    }

    [Fact]
    public void Reserved_metadata_keys_are_refused()
    {
        Should.Throw<ArgumentException>(() => WriteFile(AvroCodec.Null, 1, metadata: new() { ["avro.codec"] = "snappy" }));
    }

    [Fact]
    public void Bad_magic_is_refused()
    {
        var file = WriteFile(AvroCodec.Null, 3);
        file[3] = 2;

        Should.Throw<FormatException>(() => AvroContainerReader.Read(file)).Message.ShouldContain("magic");
        Should.Throw<FormatException>(() => AvroContainerReader.Read("Ob"u8)).Message.ShouldContain("magic");
    }

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    public void Every_truncation_of_a_file_is_refused(AvroCodec codec)
    {
        var file = WriteFile(codec, 5, blockSize: 100);
        var headerLength = HeaderLength(file);

        for (var length = 0; length < file.Length; length++)
        {
            if (length == headerLength)
            {
                continue; // a header with no blocks is a valid, empty file
            }

            var cut = file[..length];
            var read = () => AvroContainerReader.Read(cut);
            if (RecordsBeforeBoundary(file, headerLength, length) is { } whole)
            {
                read().Records.Count.ShouldBe(whole, $"cut at {length} of {file.Length}");
            }
            else
            {
                read.ShouldThrow<FormatException>($"cut at {length} of {file.Length}");
            }
        }
    }

    /// <summary>
    /// When <paramref name="length"/> ends exactly after a block's sync marker (a shorter, valid file), the number of
    /// records in the blocks up to there; otherwise null.
    /// </summary>
    private static int? RecordsBeforeBoundary(byte[] file, int headerLength, int length)
    {
        var reader = new AvroBinaryReader(file.AsSpan(headerLength));
        var records = 0;
        while (!reader.End)
        {
            records += (int)reader.ReadLong();
            var size = reader.ReadLong();
            reader.ReadFixed((int)size + 16);
            if (headerLength + reader.Position == length)
            {
                return records;
            }
        }

        return null;
    }

    /// <summary>The record count of each block of the file, in order.</summary>
    private static List<long> BlockRecordCounts(byte[] file)
    {
        var reader = new AvroBinaryReader(file.AsSpan(HeaderLength(file)));
        var counts = new List<long>();
        while (!reader.End)
        {
            counts.Add(reader.ReadLong());
            var size = reader.ReadLong();
            reader.ReadFixed((int)size + 16);
        }

        return counts;
    }

    [Fact]
    public void A_wrong_sync_marker_after_a_block_is_refused()
    {
        var file = WriteFile(AvroCodec.Null, 3);
        file[^1] ^= 0xFF;

        Should.Throw<FormatException>(() => AvroContainerReader.Read(file)).Message.ShouldContain("sync marker");
    }

    [Fact]
    public void A_block_size_beyond_the_file_is_refused()
    {
        var file = WriteFile(AvroCodec.Null, 3);
        var headerLength = HeaderLength(file);
        var reader = new AvroBinaryReader(file.AsSpan(headerLength));
        reader.ReadLong();
        var sizeStart = headerLength + reader.Position;
        reader.ReadLong();
        var sizeEnd = headerLength + reader.Position;

        var writer = new AvroBinaryWriter();
        writer.WriteLong(1_000_000);
        var corrupt = file[..sizeStart].Concat(writer.Written.ToArray()).Concat(file[sizeEnd..]).ToArray();

        Should.Throw<FormatException>(() => AvroContainerReader.Read(corrupt)).Message.ShouldContain("beyond the end of the file");
    }

    [Fact]
    public void A_block_claiming_more_records_than_it_holds_is_refused()
    {
        var file = WriteFile(AvroCodec.Null, 3);
        var headerLength = HeaderLength(file);
        file[headerLength] = 0x08; // count 3 → 4

        Should.Throw<FormatException>(() => AvroContainerReader.Read(file)).Message.ShouldContain("Avro block 0, record 3");
    }

    [Fact]
    public void Bytes_left_in_a_block_after_its_records_are_refused()
    {
        var file = WriteFile(AvroCodec.Null, 3);
        var headerLength = HeaderLength(file);
        file[headerLength] = 0x04; // count 3 → 2

        Should.Throw<FormatException>(() => AvroContainerReader.Read(file)).Message.ShouldContain("left after its 2 records");
    }

    [Fact]
    public void Corrupt_deflate_data_is_refused()
    {
        var file = WriteFile(AvroCodec.Deflate, 3);
        var headerLength = HeaderLength(file);
        for (var i = headerLength + 4; i < file.Length - 16; i++)
        {
            file[i] = 0xFF;
        }

        Should.Throw<FormatException>(() => AvroContainerReader.Read(file)).Message.ShouldContain("block 0");
    }

    [Fact]
    public void An_unknown_codec_or_a_missing_schema_is_refused()
    {
        var snappy = Header(new() { ["avro.schema"] = "\"long\"", ["avro.codec"] = "snappy" });
        var noSchema = Header(new() { ["avro.codec"] = "null" });

        Should.Throw<FormatException>(() => AvroContainerReader.Read(snappy)).Message.ShouldContain("\"snappy\" is not supported");
        Should.Throw<FormatException>(() => AvroContainerReader.Read(noSchema)).Message.ShouldContain("no \"avro.schema\"");
    }

    [Fact]
    public void A_header_without_a_codec_means_the_null_codec()
    {
        var file = Header(new() { ["avro.schema"] = "\"long\"" });

        AvroContainerReader.Read(file).Codec.ShouldBe(AvroCodec.Null);
    }

    private static byte[] Header(Dictionary<string, string> metadata)
    {
        var writer = new AvroBinaryWriter();
        writer.WriteRaw("Obj\u0001"u8);
        AvroDatum.Write(writer, new AvroMapSchema(new AvroPrimitiveSchema(AvroType.Bytes)), metadata.ToDictionary(e => e.Key, e => (object?)Encoding.UTF8.GetBytes(e.Value)));
        writer.WriteRaw(new byte[16]);
        return writer.Written.ToArray();
    }
}

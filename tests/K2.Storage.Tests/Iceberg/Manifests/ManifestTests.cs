using System.Text;
using K2.Storage.Iceberg.Avro;
using K2.Storage.Iceberg.Manifests;
using static K2.Storage.Tests.Iceberg.Manifests.ManifestSamples;

namespace K2.Storage.Tests.Iceberg.Manifests;

public sealed class ManifestTests
{
    private static readonly ManifestEntry[] MixedEntries =
    [
        ManifestEntry.Added(File(0)),
        ManifestEntry.Added(File(1) with { PartitionDay = null, SortOrderId = null, LowerBounds = null, SplitOffsets = null }),
        new(ManifestEntryStatus.Existing, 41, 3, 3, File(2)),
        new(ManifestEntryStatus.Deleted, 42, 2, 1, File(3)),
    ];

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    public void A_manifest_round_trips_with_its_header_and_every_entry_field(AvroCodec codec)
    {
        var manifest = ManifestReader.Read(WriteManifest(MixedEntries, codec));

        manifest.Header.ShouldBe(Header);
        manifest.Entries.Count.ShouldBe(MixedEntries.Length);
        for (var i = 0; i < MixedEntries.Length; i++)
        {
            var (actual, expected) = (manifest.Entries[i], MixedEntries[i]);
            (actual.Status, actual.SnapshotId, actual.SequenceNumber, actual.FileSequenceNumber)
                .ShouldBe((expected.Status, expected.SnapshotId, expected.SequenceNumber, expected.FileSequenceNumber));
            ShouldEqual(actual.DataFile, expected.DataFile);
        }
    }

    [Fact]
    public void The_header_carries_every_key_the_v2_spec_requires()
    {
        var file = AvroContainerReader.Read(WriteManifest(MixedEntries, AvroCodec.Null));

        file.GetMetadataString("schema").ShouldBe(SchemaJson);
        file.GetMetadataString("schema-id").ShouldBe("0");
        file.GetMetadataString("partition-spec").ShouldBe(PartitionFieldsJson);
        file.GetMetadataString("partition-spec-id").ShouldBe("0");
        file.GetMetadataString("format-version").ShouldBe("2");
        file.GetMetadataString("content").ShouldBe("data");
        ((AvroRecordSchema)file.Schema).FullName.ShouldBe("manifest_entry");
    }

    [Fact]
    public void Bounds_maps_are_written_in_ascending_key_order_as_key_value_records()
    {
        var entry = ManifestEntry.Added(File(0) with { ColumnSizes = new Dictionary<int, long> { [3] = 30, [1] = 10, [2] = 20 } });
        var file = AvroContainerReader.Read(WriteManifest([entry], AvroCodec.Null));

        var dataFile = (AvroRecord)((AvroRecord)file.Records[0]!)["data_file"]!;
        var sizes = (IReadOnlyList<object?>)dataFile["column_sizes"]!;
        sizes.Select(e => ((AvroRecord)e!)["key"]).ShouldBe(new object?[] { 1, 2, 3 });
        ((AvroRecord)sizes[0]!).Schema.FullName.ShouldBe("k117_v118");
    }

    [Fact]
    public void Added_entries_inherit_snapshot_and_sequence_numbers_from_their_manifest_list_entry()
    {
        var bytes = WriteManifest(MixedEntries, AvroCodec.Null);
        var listed = ManifestFile.Describe("file:///m.avro", bytes.Length, 0, sequenceNumber: 7, snapshotId: 99, MixedEntries);

        var entries = ManifestReader.Read(bytes).Entries.Select(e => e.InheritFrom(listed)).ToList();

        (entries[0].SnapshotId, entries[0].SequenceNumber, entries[0].FileSequenceNumber).ShouldBe((99L, 7L, 7L));
        (entries[2].SnapshotId, entries[2].SequenceNumber, entries[2].FileSequenceNumber).ShouldBe((41L, 3L, 3L));
        (entries[3].SnapshotId, entries[3].SequenceNumber, entries[3].FileSequenceNumber).ShouldBe((42L, 2L, 1L));
    }

    [Fact]
    public void An_existing_entry_without_its_sequence_number_cannot_inherit_one()
    {
        var entry = new ManifestEntry(ManifestEntryStatus.Existing, 1, null, null, File(0));
        var listed = ManifestFile.Describe("m", 1, 0, 7, 99, [entry]);

        Should.Throw<FormatException>(() => entry.InheritFrom(listed)).Message.ShouldContain("only ADDED entries");
    }

    [Fact]
    public void A_manifest_is_described_by_counts_the_lowest_live_sequence_number_and_the_day_range()
    {
        var listed = ManifestFile.Describe("file:///m.avro", 1234, 0, sequenceNumber: 7, snapshotId: 99, MixedEntries);

        listed.ShouldBe(listed with
        {
            ManifestPath = "file:///m.avro",
            ManifestLength = 1234,
            Content = ManifestContent.Data,
            SequenceNumber = 7,
            MinSequenceNumber = 3, // the existing entry; the deleted one (2) is not live
            AddedSnapshotId = 99,
            AddedFilesCount = 2,
            ExistingFilesCount = 1,
            DeletedFilesCount = 1,
            AddedRowsCount = 1_000 + 1_001,
            ExistingRowsCount = 1_002,
            DeletedRowsCount = 1_003,
        });
        var summary = listed.Partitions!.ShouldHaveSingleItem();
        summary.ContainsNull.ShouldBeTrue(); // the second file has a null day
        summary.ContainsNan.ShouldBe(false);
        SingleValue.ToInt(summary.LowerBound).ShouldBe(Day); // File(3) is day + 0
        SingleValue.ToInt(summary.UpperBound).ShouldBe(Day + 2);
    }

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    public void A_manifest_list_round_trips_and_can_be_rewritten_from_its_parent(AvroCodec codec)
    {
        var first = ManifestFile.Describe("file:///m1.avro", 5000, 0, 1, 100, [ManifestEntry.Added(File(0))]);
        var second = ManifestFile.Describe("file:///m2.avro", 6000, 0, 2, 200, MixedEntries) with { Partitions = null };
        var parent = ManifestListReader.Read(WriteManifestList(new ManifestListHeader(100, null, 1), [first], codec));

        var child = ManifestListReader.Read(WriteManifestList(new ManifestListHeader(200, 100, 2), [.. parent.Manifests, second], codec));

        parent.Header.ShouldBe(new ManifestListHeader(100, null, 1));
        child.Header.ShouldBe(new ManifestListHeader(200, 100, 2));
        child.Manifests.Count.ShouldBe(2);
        ShouldEqualListed(child.Manifests[0], first);
        ShouldEqualListed(child.Manifests[1], second);
    }

    [Fact]
    public void A_manifest_list_header_has_the_keys_Java_and_PyIceberg_write()
    {
        var file = AvroContainerReader.Read(WriteManifestList(new ManifestListHeader(200, null, 2), [], AvroCodec.Null));

        file.GetMetadataString("snapshot-id").ShouldBe("200");
        file.GetMetadataString("parent-snapshot-id").ShouldBe("null");
        file.GetMetadataString("sequence-number").ShouldBe("2");
        file.GetMetadataString("format-version").ShouldBe("2");
        ((AvroRecordSchema)file.Schema).FullName.ShouldBe("manifest_file");
    }

    [Fact]
    public void The_writer_refuses_a_whole_partition_spec_where_only_its_fields_array_belongs()
    {
        var header = Header with { PartitionSpecFieldsJson = """{"spec-id":0,"fields":[]}""" };

        Should.Throw<ArgumentException>(() => ManifestWriter.Write(new MemoryStream(), header, [], AvroCodec.Null)).Message.ShouldContain("array");
    }

    [Fact]
    public void Manifests_of_another_format_version_or_content_or_without_required_keys_are_refused()
    {
        Should.Throw<FormatException>(() => ManifestReader.Read(Rewrite("format-version", "1"))).Message.ShouldContain("format-version \"1\"");
        Should.Throw<FormatException>(() => ManifestReader.Read(Rewrite("content", "deletes"))).Message.ShouldContain("content \"deletes\"");
        Should.Throw<FormatException>(() => ManifestReader.Read(Rewrite("partition-spec-id", "x"))).Message.ShouldContain("not an integer");
        Should.Throw<FormatException>(() => ManifestListReader.Read(WriteManifest(MixedEntries, AvroCodec.Null))).Message.ShouldContain("snapshot-id");
    }

    [Fact]
    public void A_manifest_whose_header_lacks_schema_id_takes_it_from_the_schema_as_Java_writes_it()
    {
        ManifestReader.Read(Rewrite("schema-id", null)).Header.SchemaId.ShouldBe(0);
    }

    [Fact]
    public void A_manifest_list_is_not_a_manifest()
    {
        var list = WriteManifestList(new ManifestListHeader(1, null, 1), [], AvroCodec.Null);

        Should.Throw<FormatException>(() => ManifestReader.Read(list)).Message.ShouldContain("Manifest header has no");
    }

    [Fact]
    public void Corrupt_manifests_are_refused_with_FormatException_at_every_truncation()
    {
        var bytes = WriteManifest(MixedEntries, AvroCodec.Deflate);

        for (var length = 0; length < bytes.Length; length += 7)
        {
            Should.Throw<FormatException>(() => ManifestReader.Read(bytes.AsSpan(0, length)));
        }
    }

    /// <summary>The manifest with one header key replaced (or removed when <paramref name="value"/> is null).</summary>
    private static byte[] Rewrite(string key, string? value)
    {
        var original = AvroContainerReader.Read(WriteManifest(MixedEntries, AvroCodec.Null));
        var metadata = original.Metadata
            .Where(e => !e.Key.StartsWith("avro.", StringComparison.Ordinal) && e.Key != key)
            .ToDictionary(e => e.Key, e => Encoding.UTF8.GetString(e.Value));
        if (value is not null)
        {
            metadata[key] = value;
        }

        using var stream = new MemoryStream();
        AvroContainerWriter.Write(stream, original.SchemaJson, metadata, original.Records, AvroCodec.Null);
        return stream.ToArray();
    }

    private static void ShouldEqualListed(ManifestFile actual, ManifestFile expected)
    {
        actual.ShouldBe(expected with { Partitions = actual.Partitions });
        if (expected.Partitions is null)
        {
            actual.Partitions.ShouldBeNull();
            return;
        }

        actual.Partitions.ShouldNotBeNull().Count.ShouldBe(expected.Partitions.Count);
        for (var i = 0; i < expected.Partitions.Count; i++)
        {
            var (a, e) = (actual.Partitions[i], expected.Partitions[i]);
            (a.ContainsNull, a.ContainsNan).ShouldBe((e.ContainsNull, e.ContainsNan));
            a.LowerBound.ShouldBe(e.LowerBound);
            a.UpperBound.ShouldBe(e.UpperBound);
        }
    }
}

using System.Text;
using System.Text.Json;
using K2.Storage.ClickHouse;
using K2.Storage.Iceberg.Avro;
using K2.Storage.Iceberg.Manifests;
using K2.Storage.Tests.Iceberg.Avro;
using K2.Testing;
using static K2.Storage.Tests.Iceberg.Manifests.ManifestSamples;

namespace K2.Storage.Tests.Iceberg.Manifests;

/// <summary>Manifests and manifest lists K2 writes, read by Apache Avro for Python and by ClickHouse (chDB).</summary>
public sealed class ManifestInteropTests(EmbeddedClickHouseFixture fixture) : IDisposable
{
    private readonly TempDirectory _directory = new("k2-manifests");

    private static readonly ManifestEntry[] Entries =
    [
        ManifestEntry.Added(File(0)),
        ManifestEntry.Added(File(1) with { SortOrderId = null, UpperBounds = null }),
        new(ManifestEntryStatus.Existing, 41, 3, 3, File(2)),
    ];

    public void Dispose() => _directory.Dispose();

    private string Save(string name, byte[] bytes)
    {
        var path = Path.Combine(_directory.Path, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    public void Avro_for_Python_reads_a_manifest_with_its_header_field_ids_and_values(AvroCodec codec)
    {
        var read = PythonAvro.Read(Save("manifest.avro", WriteManifest(Entries, codec)));

        var meta = read.GetProperty("meta");
        meta.GetProperty("schema").GetString().ShouldBe(SchemaJson);
        meta.GetProperty("schema-id").GetString().ShouldBe("0");
        meta.GetProperty("partition-spec").GetString().ShouldBe(PartitionFieldsJson);
        meta.GetProperty("partition-spec-id").GetString().ShouldBe("0");
        meta.GetProperty("format-version").GetString().ShouldBe("2");
        meta.GetProperty("content").GetString().ShouldBe("data");

        var ids = FieldIds(read.GetProperty("schema"));
        ids["status"].ShouldBe(0);
        ids["snapshot_id"].ShouldBe(1);
        ids["sequence_number"].ShouldBe(3);
        ids["file_sequence_number"].ShouldBe(4);
        ids["data_file"].ShouldBe(2);
        ids["data_file.content"].ShouldBe(134);
        ids["data_file.file_path"].ShouldBe(100);
        ids["data_file.file_format"].ShouldBe(101);
        ids["data_file.partition"].ShouldBe(102);
        ids["data_file.partition.exchange_time_day"].ShouldBe(1000);
        ids["data_file.record_count"].ShouldBe(103);
        ids["data_file.file_size_in_bytes"].ShouldBe(104);
        ids["data_file.column_sizes"].ShouldBe(108);
        ids["data_file.column_sizes.key"].ShouldBe(117);
        ids["data_file.column_sizes.value"].ShouldBe(118);
        ids["data_file.value_counts.key"].ShouldBe(119);
        ids["data_file.null_value_counts.value"].ShouldBe(122);
        ids["data_file.lower_bounds"].ShouldBe(125);
        ids["data_file.lower_bounds.key"].ShouldBe(126);
        ids["data_file.lower_bounds.value"].ShouldBe(127);
        ids["data_file.upper_bounds.key"].ShouldBe(129);
        ids["data_file.upper_bounds.value"].ShouldBe(130);
        ids["data_file.split_offsets"].ShouldBe(132);
        ids["data_file.split_offsets[]"].ShouldBe(133);
        ids["data_file.sort_order_id"].ShouldBe(140);

        var records = read.GetProperty("records");
        records.GetArrayLength().ShouldBe(Entries.Length);
        for (var i = 0; i < Entries.Length; i++)
        {
            var (actual, expected) = (records[i], Entries[i]);
            actual.GetProperty("status").GetInt32().ShouldBe((int)expected.Status);
            LongOrNull(actual.GetProperty("snapshot_id")).ShouldBe(expected.SnapshotId);
            LongOrNull(actual.GetProperty("sequence_number")).ShouldBe(expected.SequenceNumber);
            LongOrNull(actual.GetProperty("file_sequence_number")).ShouldBe(expected.FileSequenceNumber);

            var file = actual.GetProperty("data_file");
            var e = expected.DataFile;
            file.GetProperty("content").GetInt32().ShouldBe(0);
            file.GetProperty("file_path").GetString().ShouldBe(e.FilePath);
            file.GetProperty("file_format").GetString().ShouldBe("PARQUET");
            // Avro for Python decoded the partition value as a date: the logical type arrived.
            file.GetProperty("partition").GetProperty("exchange_time_day").GetProperty("date").GetString()
                .ShouldBe(DateOnly.FromDayNumber(new DateOnly(1970, 1, 1).DayNumber + e.PartitionDay!.Value).ToString("yyyy-MM-dd"));
            file.GetProperty("record_count").GetInt64().ShouldBe(e.RecordCount);
            file.GetProperty("file_size_in_bytes").GetInt64().ShouldBe(e.FileSizeInBytes);
            Map(file.GetProperty("column_sizes"), v => v.GetInt64()).ShouldBe(e.ColumnSizes);
            Map(file.GetProperty("value_counts"), v => v.GetInt64()).ShouldBe(e.ValueCounts);
            Map(file.GetProperty("null_value_counts"), v => v.GetInt64()).ShouldBe(e.NullValueCounts);
            Map(file.GetProperty("lower_bounds"), v => v.GetProperty("hex").GetString()!)
                .ShouldBe(e.LowerBounds!.ToDictionary(b => b.Key, b => Convert.ToHexStringLower(b.Value)));
            if (e.UpperBounds is null)
            {
                file.GetProperty("upper_bounds").ValueKind.ShouldBe(JsonValueKind.Null);
            }
            else
            {
                Map(file.GetProperty("upper_bounds"), v => v.GetProperty("hex").GetString()!)
                    .ShouldBe(e.UpperBounds.ToDictionary(b => b.Key, b => Convert.ToHexStringLower(b.Value)));
            }

            file.GetProperty("split_offsets").EnumerateArray().Select(o => o.GetInt64()).ShouldBe(e.SplitOffsets!);
            LongOrNull(file.GetProperty("sort_order_id")).ShouldBe(e.SortOrderId);
        }
    }

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    public void Avro_for_Python_reads_a_manifest_list_with_its_header_field_ids_and_values(AvroCodec codec)
    {
        var listed = ManifestFile.Describe("file:///warehouse/m1.avro", 4321, 0, 5, 777, Entries);
        var read = PythonAvro.Read(Save("snap.avro", WriteManifestList(new ManifestListHeader(777, 666, 5), [listed], codec)));

        var meta = read.GetProperty("meta");
        meta.GetProperty("snapshot-id").GetString().ShouldBe("777");
        meta.GetProperty("parent-snapshot-id").GetString().ShouldBe("666");
        meta.GetProperty("sequence-number").GetString().ShouldBe("5");
        meta.GetProperty("format-version").GetString().ShouldBe("2");

        var ids = FieldIds(read.GetProperty("schema"));
        ids.ShouldBe(new Dictionary<string, int>
        {
            ["manifest_path"] = 500, ["manifest_length"] = 501, ["partition_spec_id"] = 502, ["content"] = 517,
            ["sequence_number"] = 515, ["min_sequence_number"] = 516, ["added_snapshot_id"] = 503,
            ["added_files_count"] = 504, ["existing_files_count"] = 505, ["deleted_files_count"] = 506,
            ["added_rows_count"] = 512, ["existing_rows_count"] = 513, ["deleted_rows_count"] = 514,
            ["partitions"] = 507, ["partitions[]"] = 508, ["partitions.contains_null"] = 509, ["partitions.contains_nan"] = 518,
            ["partitions.lower_bound"] = 510, ["partitions.upper_bound"] = 511,
        }, ignoreOrder: true);

        var record = read.GetProperty("records").EnumerateArray().ShouldHaveSingleItem();
        record.GetProperty("manifest_path").GetString().ShouldBe(listed.ManifestPath);
        record.GetProperty("manifest_length").GetInt64().ShouldBe(4321);
        record.GetProperty("partition_spec_id").GetInt32().ShouldBe(0);
        record.GetProperty("content").GetInt32().ShouldBe(0);
        record.GetProperty("sequence_number").GetInt64().ShouldBe(5);
        record.GetProperty("min_sequence_number").GetInt64().ShouldBe(3);
        record.GetProperty("added_snapshot_id").GetInt64().ShouldBe(777);
        record.GetProperty("added_files_count").GetInt32().ShouldBe(2);
        record.GetProperty("existing_files_count").GetInt32().ShouldBe(1);
        record.GetProperty("deleted_files_count").GetInt32().ShouldBe(0);
        record.GetProperty("added_rows_count").GetInt64().ShouldBe(1_000 + 1_001);
        record.GetProperty("existing_rows_count").GetInt64().ShouldBe(1_002);
        record.GetProperty("deleted_rows_count").GetInt64().ShouldBe(0);
        var summary = record.GetProperty("partitions").EnumerateArray().ShouldHaveSingleItem();
        summary.GetProperty("contains_null").GetBoolean().ShouldBeFalse();
        summary.GetProperty("contains_nan").GetBoolean().ShouldBeFalse();
        summary.GetProperty("lower_bound").GetProperty("hex").GetString().ShouldBe(Convert.ToHexStringLower(SingleValue.FromDate(Day)));
        summary.GetProperty("upper_bound").GetProperty("hex").GetString().ShouldBe(Convert.ToHexStringLower(SingleValue.FromDate(Day + 2)));
    }

    [Theory]
    [InlineData(AvroCodec.Null)]
    [InlineData(AvroCodec.Deflate)]
    public async Task ClickHouse_reads_the_entries_of_a_manifest_and_a_manifest_list(AvroCodec codec)
    {
        var manifest = Save("manifest.avro", WriteManifest(Entries, codec));
        var list = Save("snap.avro", WriteManifestList(
            new ManifestListHeader(777, null, 5), [ManifestFile.Describe("file:///warehouse/m1.avro", 4321, 0, 5, 777, Entries)], codec));

        var entries = await QueryAsync(
            $"SELECT status, data_file.file_path, data_file.record_count, data_file.partition.exchange_time_day FROM file('{manifest}', Avro) FORMAT TSV");
        var manifests = await QueryAsync(
            $"SELECT manifest_path, manifest_length, added_rows_count, hex(partitions[1].lower_bound) FROM file('{list}', Avro) FORMAT TSV");

        entries.ShouldBe(string.Join('\n', Entries.Select(e =>
            $"{(int)e.Status}\t{e.DataFile.FilePath}\t{e.DataFile.RecordCount}\t{DateOnly.FromDayNumber(new DateOnly(1970, 1, 1).DayNumber + e.DataFile.PartitionDay!.Value):yyyy-MM-dd}")));
        manifests.ShouldBe($"file:///warehouse/m1.avro\t4321\t2001\t{Convert.ToHexString(SingleValue.FromDate(Day))}");
    }

    private Task<string> QueryAsync(string sql) =>
        fixture.ClickHouse.QueryAsync(sql, null, ClickHouseFormats.TabSeparated, static data => Encoding.UTF8.GetString(data).TrimEnd('\n'), TestContext.Current.CancellationToken);

    /// <summary>Every field id in an Avro schema, keyed by dotted path; "[]" marks an element id.</summary>
    private static Dictionary<string, int> FieldIds(JsonElement schema)
    {
        var ids = new Dictionary<string, int>();
        void Visit(JsonElement type, string path)
        {
            switch (type.ValueKind)
            {
                case JsonValueKind.Array:
                    foreach (var branch in type.EnumerateArray())
                    {
                        Visit(branch, path);
                    }

                    break;
                case JsonValueKind.Object when type.GetProperty("type").GetString() == "record":
                    foreach (var field in type.GetProperty("fields").EnumerateArray())
                    {
                        var name = path.Length == 0 ? field.GetProperty("name").GetString()! : $"{path}.{field.GetProperty("name").GetString()}";
                        if (field.TryGetProperty("field-id", out var id))
                        {
                            ids[name] = id.GetInt32();
                        }

                        Visit(field.GetProperty("type"), name);
                    }

                    break;
                case JsonValueKind.Object when type.GetProperty("type").GetString() == "array":
                    if (type.TryGetProperty("element-id", out var elementId))
                    {
                        ids[$"{path}[]"] = elementId.GetInt32();
                    }

                    Visit(type.GetProperty("items"), path);
                    break;
            }
        }

        Visit(schema, "");
        return ids;
    }

    private static long? LongOrNull(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetInt64();

    /// <summary>An Iceberg int-keyed map (an array of key/value records) as a dictionary.</summary>
    private static Dictionary<int, T> Map<T>(JsonElement array, Func<JsonElement, T> value) =>
        array.EnumerateArray().ToDictionary(e => e.GetProperty("key").GetInt32(), e => value(e.GetProperty("value")));
}

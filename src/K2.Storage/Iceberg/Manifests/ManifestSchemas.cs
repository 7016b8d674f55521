using System.Text.Json.Nodes;

namespace K2.Storage.Iceberg.Manifests;

/// <summary>
/// The Avro schemas of v2 manifests and manifest lists, with the Iceberg field ids the spec assigns ("Manifests",
/// "Manifest Lists", Appendix A). Field order and nested record names (<c>r2</c>, <c>r102</c>, <c>k117_v118</c>,
/// <c>r508</c>) follow the Java implementation; optional fields are unions with null that default to null.
/// </summary>
internal static class ManifestSchemas
{
    public const int StatusId = 0;
    public const int SnapshotIdId = 1;
    public const int DataFileId = 2;
    public const int SequenceNumberId = 3;
    public const int FileSequenceNumberId = 4;

    public const int ContentId = 134;
    public const int FilePathId = 100;
    public const int FileFormatId = 101;
    public const int PartitionId = 102;
    public const int RecordCountId = 103;
    public const int FileSizeId = 104;
    public const int ColumnSizesId = 108;
    public const int ValueCountsId = 109;
    public const int NullValueCountsId = 110;
    public const int LowerBoundsId = 125;
    public const int UpperBoundsId = 128;
    public const int SplitOffsetsId = 132;
    public const int SortOrderIdId = 140;

    public const int ManifestPathId = 500;
    public const int ManifestLengthId = 501;
    public const int PartitionSpecIdId = 502;
    public const int ManifestContentId = 517;
    public const int ManifestSequenceNumberId = 515;
    public const int MinSequenceNumberId = 516;
    public const int AddedSnapshotIdId = 503;
    public const int AddedFilesCountId = 504;
    public const int ExistingFilesCountId = 505;
    public const int DeletedFilesCountId = 506;
    public const int AddedRowsCountId = 512;
    public const int ExistingRowsCountId = 513;
    public const int DeletedRowsCountId = 514;
    public const int PartitionsId = 507;
    public const int FieldSummaryId = 508;
    public const int ContainsNullId = 509;
    public const int ContainsNanId = 518;
    public const int LowerBoundId = 510;
    public const int UpperBoundId = 511;

    /// <summary>The <c>manifest_entry</c> schema for a table partitioned by <paramref name="partitionField"/>.</summary>
    public static string ManifestEntry(DayPartitionField partitionField)
    {
        var partition = Record("r102", Optional(partitionField.Name, new JsonObject { ["type"] = "int", ["logicalType"] = "date" }, partitionField.FieldId));
        var dataFile = Record(
            "r2",
            Required("content", "int", ContentId),
            Required("file_path", "string", FilePathId),
            Required("file_format", "string", FileFormatId),
            Required("partition", partition, PartitionId),
            Required("record_count", "long", RecordCountId),
            Required("file_size_in_bytes", "long", FileSizeId),
            Optional("column_sizes", IntKeyedMap(117, 118, "long"), ColumnSizesId),
            Optional("value_counts", IntKeyedMap(119, 120, "long"), ValueCountsId),
            Optional("null_value_counts", IntKeyedMap(121, 122, "long"), NullValueCountsId),
            Optional("lower_bounds", IntKeyedMap(126, 127, "bytes"), LowerBoundsId),
            Optional("upper_bounds", IntKeyedMap(129, 130, "bytes"), UpperBoundsId),
            Optional("split_offsets", new JsonObject { ["type"] = "array", ["items"] = "long", ["element-id"] = 133 }, SplitOffsetsId),
            Optional("sort_order_id", "int", SortOrderIdId));
        return Record(
            "manifest_entry",
            Required("status", "int", StatusId),
            Optional("snapshot_id", "long", SnapshotIdId),
            Optional("sequence_number", "long", SequenceNumberId),
            Optional("file_sequence_number", "long", FileSequenceNumberId),
            Required("data_file", dataFile, DataFileId)).ToJsonString();
    }

    /// <summary>The <c>manifest_file</c> schema of a v2 manifest list.</summary>
    public static string ManifestFile()
    {
        var fieldSummary = Record(
            "r508",
            Required("contains_null", "boolean", ContainsNullId),
            Optional("contains_nan", "boolean", ContainsNanId),
            Optional("lower_bound", "bytes", LowerBoundId),
            Optional("upper_bound", "bytes", UpperBoundId));
        return Record(
            "manifest_file",
            Required("manifest_path", "string", ManifestPathId),
            Required("manifest_length", "long", ManifestLengthId),
            Required("partition_spec_id", "int", PartitionSpecIdId),
            Required("content", "int", ManifestContentId),
            Required("sequence_number", "long", ManifestSequenceNumberId),
            Required("min_sequence_number", "long", MinSequenceNumberId),
            Required("added_snapshot_id", "long", AddedSnapshotIdId),
            Required("added_files_count", "int", AddedFilesCountId),
            Required("existing_files_count", "int", ExistingFilesCountId),
            Required("deleted_files_count", "int", DeletedFilesCountId),
            Required("added_rows_count", "long", AddedRowsCountId),
            Required("existing_rows_count", "long", ExistingRowsCountId),
            Required("deleted_rows_count", "long", DeletedRowsCountId),
            Optional("partitions", new JsonObject { ["type"] = "array", ["items"] = fieldSummary, ["element-id"] = FieldSummaryId }, PartitionsId)).ToJsonString();
    }

    private static JsonObject Record(string name, params JsonObject[] fields) =>
        new() { ["type"] = "record", ["name"] = name, ["fields"] = new JsonArray(fields) };

    private static JsonObject Required(string name, JsonNode type, int fieldId) =>
        new() { ["name"] = name, ["type"] = type, ["field-id"] = fieldId };

    private static JsonObject Optional(string name, JsonNode type, int fieldId) =>
        new() { ["name"] = name, ["type"] = new JsonArray("null", type), ["default"] = null, ["field-id"] = fieldId };

    /// <summary>Iceberg stores maps with non-string keys as arrays of key/value records with logical type <c>map</c>.</summary>
    private static JsonObject IntKeyedMap(int keyId, int valueId, string valueType) => new()
    {
        ["type"] = "array",
        ["logicalType"] = "map",
        ["items"] = Record($"k{keyId}_v{valueId}", Required("key", "int", keyId), Required("value", valueType, valueId)),
    };
}

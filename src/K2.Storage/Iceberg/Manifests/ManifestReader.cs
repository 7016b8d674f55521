using System.Globalization;
using System.Text.Json;
using K2.Storage.Iceberg.Avro;
using static K2.Storage.Iceberg.Manifests.IcebergRecordFields;
using static K2.Storage.Iceberg.Manifests.ManifestSchemas;

namespace K2.Storage.Iceberg.Manifests;

/// <summary>
/// Reads a v2 data manifest written by K2 or by another Iceberg writer, finding fields by field id. K2 tables have
/// one day partition field, so a manifest whose partition record has another shape is refused with
/// <see cref="FormatException"/>, as is anything malformed.
/// </summary>
public static class ManifestReader
{
    public static Manifest Read(ReadOnlySpan<byte> file)
    {
        var container = AvroContainerReader.Read(file);
        if (container.Schema is not AvroRecordSchema entrySchema)
        {
            throw new FormatException($"Manifest records should be manifest_entry records, not {container.Schema}.");
        }

        string Header(string key) => container.GetMetadataString(key) ?? throw new FormatException($"Manifest header has no \"{key}\".");

        var formatVersion = Header("format-version");
        if (formatVersion != "2")
        {
            throw new FormatException($"Manifest has format-version \"{formatVersion}\"; K2 reads format 2.");
        }

        var content = Header("content");
        if (content != "data")
        {
            throw new FormatException($"Manifest has content \"{content}\"; K2 reads data manifests.");
        }

        var schemaJson = Header("schema");
        var header = new ManifestHeader(
            schemaJson,
            container.GetMetadataString("schema-id") is { } schemaId ? ParseInt(schemaId, "schema-id") : SchemaIdInside(schemaJson),
            Header("partition-spec"),
            ParseInt(Header("partition-spec-id"), "partition-spec-id"),
            DayPartitionFieldOf(entrySchema));

        var entries = new List<ManifestEntry>(container.Records.Count);
        foreach (var record in container.Records)
        {
            entries.Add(ToEntry(record as AvroRecord ?? throw new FormatException("Manifest holds a value that is not a record.")));
        }

        return new Manifest(header, entries);
    }

    private static ManifestEntry ToEntry(AvroRecord entry)
    {
        var status = RequiredInt(entry, StatusId, "status");
        if (!Enum.IsDefined((ManifestEntryStatus)status))
        {
            throw new FormatException($"Manifest entry has status {status}; valid are 0 (existing), 1 (added), 2 (deleted).");
        }

        var file = RequiredRecord(entry, DataFileId, "data_file");
        var partition = RequiredRecord(file, PartitionId, "partition");
        var dataContent = RequiredInt(file, ContentId, "content");
        if (!Enum.IsDefined((DataFileContent)dataContent))
        {
            throw new FormatException($"Data file has content {dataContent}; valid are 0, 1 and 2.");
        }

        var dataFile = new DataFile(
            RequiredString(file, FilePathId, "file_path"),
            partition.Values[0] switch
            {
                null => null,
                int day => day,
                var other => throw new FormatException($"Partition value should be a date (int), but holds {other.GetType().Name}."),
            },
            RequiredLong(file, RecordCountId, "record_count"),
            RequiredLong(file, FileSizeId, "file_size_in_bytes"))
        {
            Content = (DataFileContent)dataContent,
            FileFormat = RequiredString(file, FileFormatId, "file_format"),
            ColumnSizes = OptionalIntKeyedMap<long>(file, ColumnSizesId, "column_sizes"),
            ValueCounts = OptionalIntKeyedMap<long>(file, ValueCountsId, "value_counts"),
            NullValueCounts = OptionalIntKeyedMap<long>(file, NullValueCountsId, "null_value_counts"),
            LowerBounds = OptionalIntKeyedMap<byte[]>(file, LowerBoundsId, "lower_bounds"),
            UpperBounds = OptionalIntKeyedMap<byte[]>(file, UpperBoundsId, "upper_bounds"),
            SplitOffsets = OptionalArray(file, SplitOffsetsId, "split_offsets")?
                .Select(o => o as long? ?? throw new FormatException("split_offsets holds a value that is not a long."))
                .ToList(),
            SortOrderId = OptionalInt(file, SortOrderIdId, "sort_order_id"),
        };

        return new ManifestEntry(
            (ManifestEntryStatus)status,
            OptionalLong(entry, SnapshotIdId, "snapshot_id"),
            OptionalLong(entry, SequenceNumberId, "sequence_number"),
            OptionalLong(entry, FileSequenceNumberId, "file_sequence_number"),
            dataFile);
    }

    /// <summary>The partition record's single field, which must be an int (a date, or a plain int as older writers used).</summary>
    private static DayPartitionField DayPartitionFieldOf(AvroRecordSchema entrySchema)
    {
        var dataFileIndex = entrySchema.IndexOfFieldId(DataFileId);
        var dataFile = dataFileIndex < 0 ? null : NonNull(entrySchema.Fields[dataFileIndex].Schema) as AvroRecordSchema;
        var partitionIndex = dataFile?.IndexOfFieldId(PartitionId) ?? -1;
        var partition = partitionIndex < 0 ? null : NonNull(dataFile!.Fields[partitionIndex].Schema) as AvroRecordSchema;
        if (partition is null)
        {
            throw new FormatException("Manifest schema has no data_file (field 2) with a partition record (field 102).");
        }

        if (partition.Fields is not [{ FieldId: { } fieldId } field] || NonNull(field.Schema).Type != AvroType.Int)
        {
            throw new FormatException(
                $"Manifest partition record has {partition.Fields.Count} fields; K2 reads tables partitioned by one day field (an int with a field id).");
        }

        return new DayPartitionField(field.Name, fieldId);
    }

    private static int SchemaIdInside(string schemaJson)
    {
        try
        {
            using var document = JsonDocument.Parse(schemaJson);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("schema-id", out var id) && id.TryGetInt32(out var value)
                ? value
                : 0;
        }
        catch (JsonException e)
        {
            throw new FormatException($"Manifest header \"schema\" is not valid JSON: {e.Message}", e);
        }
    }

    private static int ParseInt(string value, string key) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"Manifest header \"{key}\" is \"{value}\", not an integer.");
}

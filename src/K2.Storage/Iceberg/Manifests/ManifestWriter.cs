using System.Globalization;
using System.Text.Json;
using K2.Storage.Iceberg.Avro;

namespace K2.Storage.Iceberg.Manifests;

/// <summary>Writes an Iceberg v2 data manifest: an Avro container file of <c>manifest_entry</c> records with the header keys the spec requires.</summary>
public static class ManifestWriter
{
    public static void Write(Stream output, ManifestHeader header, IEnumerable<ManifestEntry> entries, AvroCodec codec)
    {
        RequireJson(header.SchemaJson, JsonValueKind.Object, nameof(header.SchemaJson));
        RequireJson(header.PartitionSpecFieldsJson, JsonValueKind.Array, nameof(header.PartitionSpecFieldsJson));

        var schemaJson = ManifestSchemas.ManifestEntry(header.PartitionField);
        var entrySchema = (AvroRecordSchema)AvroSchema.Parse(schemaJson);
        var metadata = new Dictionary<string, string>
        {
            ["schema"] = header.SchemaJson,
            ["schema-id"] = header.SchemaId.ToString(CultureInfo.InvariantCulture),
            ["partition-spec"] = header.PartitionSpecFieldsJson,
            ["partition-spec-id"] = header.PartitionSpecId.ToString(CultureInfo.InvariantCulture),
            ["format-version"] = "2",
            ["content"] = "data",
        };

        AvroContainerWriter.Write(output, schemaJson, metadata, entries.Select(e => (object?)ToRecord(entrySchema, e)), codec);
    }

    private static AvroRecord ToRecord(AvroRecordSchema entrySchema, ManifestEntry entry)
    {
        var dataFileSchema = IcebergRecordFields.RecordSchemaOf(entrySchema, "data_file");
        var partitionSchema = IcebergRecordFields.RecordSchemaOf(dataFileSchema, "partition");
        var file = entry.DataFile;

        var partition = new AvroRecord(partitionSchema) { [0] = file.PartitionDay };
        var dataFile = new AvroRecord(dataFileSchema)
        {
            ["content"] = (int)file.Content,
            ["file_path"] = file.FilePath,
            ["file_format"] = file.FileFormat,
            ["partition"] = partition,
            ["record_count"] = file.RecordCount,
            ["file_size_in_bytes"] = file.FileSizeInBytes,
            ["column_sizes"] = IntKeyedMap(dataFileSchema, "column_sizes", file.ColumnSizes, v => v),
            ["value_counts"] = IntKeyedMap(dataFileSchema, "value_counts", file.ValueCounts, v => v),
            ["null_value_counts"] = IntKeyedMap(dataFileSchema, "null_value_counts", file.NullValueCounts, v => v),
            ["lower_bounds"] = IntKeyedMap(dataFileSchema, "lower_bounds", file.LowerBounds, v => v),
            ["upper_bounds"] = IntKeyedMap(dataFileSchema, "upper_bounds", file.UpperBounds, v => v),
            ["split_offsets"] = file.SplitOffsets?.Select(o => (object?)o).ToList(),
            ["sort_order_id"] = file.SortOrderId,
        };

        return new AvroRecord(entrySchema)
        {
            ["status"] = (int)entry.Status,
            ["snapshot_id"] = entry.SnapshotId,
            ["sequence_number"] = entry.SequenceNumber,
            ["file_sequence_number"] = entry.FileSequenceNumber,
            ["data_file"] = dataFile,
        };
    }

    /// <summary>A map as the array of key/value records Iceberg uses for int keys, in ascending key order.</summary>
    private static List<object?>? IntKeyedMap<T>(AvroRecordSchema dataFileSchema, string field, IReadOnlyDictionary<int, T>? map, Func<T, object?> value)
    {
        if (map is null)
        {
            return null;
        }

        var entrySchema = IcebergRecordFields.RecordSchemaOf(dataFileSchema, field);
        return map.OrderBy(e => e.Key)
            .Select(e => (object?)new AvroRecord(entrySchema) { [0] = e.Key, [1] = value(e.Value) })
            .ToList();
    }

    private static void RequireJson(string json, JsonValueKind kind, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != kind)
            {
                throw new ArgumentException($"{name} must be a JSON {kind.ToString().ToLowerInvariant()}, not {document.RootElement.ValueKind}.", name);
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{name} is not valid JSON: {e.Message}", name, e);
        }
    }
}

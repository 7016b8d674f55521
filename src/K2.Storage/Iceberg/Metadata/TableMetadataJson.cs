using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// Reads and writes table metadata files with the field names of the spec's Appendix C. The reader accepts what other
/// v2 writers produce for the parts K2 uses (e.g. <c>-1</c> or no <c>current-snapshot-id</c>, whitespace in
/// <c>decimal(P, S)</c>) and refuses anything else with an <see cref="IcebergMetadataException"/> naming the field.
/// </summary>
public static class TableMetadataJson
{
    private const long NoSnapshot = -1;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        // Plain quotes in the name-mapping property instead of \u0022; the file is UTF-8 JSON, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Write(TableMetadata metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteNumber("format-version", metadata.FormatVersion);
            json.WriteString("table-uuid", metadata.TableUuid.ToString("D"));
            json.WriteString("location", metadata.Location);
            json.WriteNumber("last-sequence-number", metadata.LastSequenceNumber);
            json.WriteNumber("last-updated-ms", metadata.LastUpdatedMs);
            json.WriteNumber("last-column-id", metadata.LastColumnId);
            json.WriteNumber("current-schema-id", metadata.CurrentSchemaId);
            json.WriteStartArray("schemas");
            foreach (var schema in metadata.Schemas)
            {
                WriteSchema(json, schema);
            }

            json.WriteEndArray();
            json.WriteNumber("default-spec-id", metadata.DefaultSpecId);
            json.WriteStartArray("partition-specs");
            foreach (var spec in metadata.PartitionSpecs)
            {
                WritePartitionSpec(json, spec);
            }

            json.WriteEndArray();
            json.WriteNumber("last-partition-id", metadata.LastPartitionId);
            json.WriteNumber("default-sort-order-id", metadata.DefaultSortOrderId);
            json.WriteStartArray("sort-orders");
            foreach (var order in metadata.SortOrders)
            {
                WriteSortOrder(json, order);
            }

            json.WriteEndArray();
            json.WriteStartObject("properties");
            foreach (var (key, value) in metadata.Properties)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            json.WriteNumber("current-snapshot-id", metadata.CurrentSnapshotId ?? NoSnapshot);
            json.WriteStartObject("refs");
            foreach (var (name, reference) in metadata.Refs)
            {
                json.WriteStartObject(name);
                json.WriteNumber("snapshot-id", reference.SnapshotId);
                json.WriteString("type", reference.Type);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartArray("snapshots");
            foreach (var snapshot in metadata.Snapshots)
            {
                WriteSnapshot(json, snapshot);
            }

            json.WriteEndArray();
            json.WriteStartArray("snapshot-log");
            foreach (var entry in metadata.SnapshotLog)
            {
                json.WriteStartObject();
                json.WriteNumber("snapshot-id", entry.SnapshotId);
                json.WriteNumber("timestamp-ms", entry.TimestampMs);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("metadata-log");
            foreach (var entry in metadata.MetadataLog)
            {
                json.WriteStartObject();
                json.WriteString("metadata-file", entry.MetadataFile);
                json.WriteNumber("timestamp-ms", entry.TimestampMs);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The schema object alone, as manifests carry it in their <c>schema</c> header key.</summary>
    public static string WriteSchema(IcebergSchema schema) => WriteAlone(json => WriteSchema(json, schema));

    /// <summary>The spec's field list alone, as manifests carry it in their <c>partition-spec</c> header key.</summary>
    public static string WritePartitionFields(PartitionSpec spec) => WriteAlone(json => WritePartitionFields(json, spec));

    /// <exception cref="IcebergMetadataException">The bytes are not a v2 table metadata file K2 can use.</exception>
    public static TableMetadata Read(ReadOnlySpan<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException e)
        {
            throw new IcebergMetadataException($"Table metadata is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            Expect(root, JsonValueKind.Object, "table metadata");
            var formatVersion = Int(root, "format-version", "table metadata");
            if (formatVersion != TableMetadata.SupportedFormatVersion)
            {
                throw new IcebergMetadataException($"Table metadata has format-version {formatVersion}; K2 reads version {TableMetadata.SupportedFormatVersion} only.");
            }

            var uuidText = String(root, "table-uuid", "table metadata");
            if (!Guid.TryParseExact(uuidText, "D", out var uuid))
            {
                throw new IcebergMetadataException($"Table metadata field 'table-uuid' is not a UUID: '{uuidText}'.");
            }

            var currentSnapshot = OptionalLong(root, "current-snapshot-id", "table metadata");
            var metadata = new TableMetadata
            {
                FormatVersion = formatVersion,
                TableUuid = uuid,
                Location = String(root, "location", "table metadata"),
                LastSequenceNumber = Long(root, "last-sequence-number", "table metadata"),
                LastUpdatedMs = Long(root, "last-updated-ms", "table metadata"),
                LastColumnId = Int(root, "last-column-id", "table metadata"),
                CurrentSchemaId = Int(root, "current-schema-id", "table metadata"),
                Schemas = [.. Array(root, "schemas", "table metadata").Select(ReadSchema)],
                DefaultSpecId = Int(root, "default-spec-id", "table metadata"),
                PartitionSpecs = [.. Array(root, "partition-specs", "table metadata").Select(ReadPartitionSpec)],
                LastPartitionId = Int(root, "last-partition-id", "table metadata"),
                DefaultSortOrderId = Int(root, "default-sort-order-id", "table metadata"),
                SortOrders = [.. Array(root, "sort-orders", "table metadata").Select(ReadSortOrder)],
                Properties = OptionalObject(root, "properties", "table metadata")
                    .ToDictionary(p => p.Name, p => StringValue(p.Value, $"property '{p.Name}'"), StringComparer.Ordinal),
                CurrentSnapshotId = currentSnapshot is NoSnapshot ? null : currentSnapshot,
                Snapshots = [.. OptionalArray(root, "snapshots", "table metadata").Select(ReadSnapshot)],
                SnapshotLog = [.. OptionalArray(root, "snapshot-log", "table metadata").Select(e => new SnapshotLogEntry(
                    Long(e, "snapshot-id", "snapshot-log entry"), Long(e, "timestamp-ms", "snapshot-log entry")))],
                MetadataLog = [.. OptionalArray(root, "metadata-log", "table metadata").Select(e => new MetadataLogEntry(
                    String(e, "metadata-file", "metadata-log entry"), Long(e, "timestamp-ms", "metadata-log entry")))],
                Refs = OptionalObject(root, "refs", "table metadata").ToDictionary(
                    p => p.Name,
                    p => new SnapshotRef(Long(p.Value, "snapshot-id", $"ref '{p.Name}'"), String(p.Value, "type", $"ref '{p.Name}'")),
                    StringComparer.Ordinal),
            };
            Validate(metadata);
            return metadata;
        }
    }

    private static void Validate(TableMetadata metadata)
    {
        if (!metadata.Schemas.Any(s => s.SchemaId == metadata.CurrentSchemaId))
        {
            throw new IcebergMetadataException($"Table metadata 'current-schema-id' {metadata.CurrentSchemaId} names no schema in 'schemas'.");
        }

        if (!metadata.PartitionSpecs.Any(s => s.SpecId == metadata.DefaultSpecId))
        {
            throw new IcebergMetadataException($"Table metadata 'default-spec-id' {metadata.DefaultSpecId} names no spec in 'partition-specs'.");
        }

        if (metadata.CurrentSnapshotId is { } current && metadata.CurrentSnapshot is null)
        {
            throw new IcebergMetadataException($"Table metadata 'current-snapshot-id' {current} names no snapshot in 'snapshots'.");
        }

        if (metadata.Refs.TryGetValue(SnapshotRef.MainBranch, out var main) && main.SnapshotId != metadata.CurrentSnapshotId)
        {
            throw new IcebergMetadataException(
                $"Table metadata ref 'main' points at snapshot {main.SnapshotId} but 'current-snapshot-id' is {metadata.CurrentSnapshotId?.ToString(CultureInfo.InvariantCulture) ?? "none"}.");
        }
    }

    private static void WriteSchema(Utf8JsonWriter json, IcebergSchema schema)
    {
        json.WriteStartObject();
        json.WriteString("type", "struct");
        json.WriteNumber("schema-id", schema.SchemaId);
        json.WriteStartArray("fields");
        foreach (var field in schema.Fields)
        {
            json.WriteStartObject();
            json.WriteNumber("id", field.Id);
            json.WriteString("name", field.Name);
            json.WriteBoolean("required", field.Required);
            json.WritePropertyName("type");
            WriteType(json, field.Type);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteType(Utf8JsonWriter json, IcebergType type)
    {
        switch (type)
        {
            case ListType list:
                json.WriteStartObject();
                json.WriteString("type", "list");
                json.WriteNumber("element-id", list.ElementId);
                json.WritePropertyName("element");
                WriteType(json, list.Element);
                json.WriteBoolean("element-required", list.ElementRequired);
                json.WriteEndObject();
                break;
            default:
                json.WriteStringValue(type.ToString());
                break;
        }
    }

    private static void WritePartitionSpec(Utf8JsonWriter json, PartitionSpec spec)
    {
        json.WriteStartObject();
        json.WriteNumber("spec-id", spec.SpecId);
        json.WritePropertyName("fields");
        WritePartitionFields(json, spec);
        json.WriteEndObject();
    }

    private static void WritePartitionFields(Utf8JsonWriter json, PartitionSpec spec)
    {
        json.WriteStartArray();
        foreach (var field in spec.Fields)
        {
            json.WriteStartObject();
            json.WriteNumber("source-id", field.SourceId);
            json.WriteNumber("field-id", field.FieldId);
            json.WriteString("name", field.Name);
            json.WriteString("transform", field.Transform);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteSortOrder(Utf8JsonWriter json, SortOrder order)
    {
        json.WriteStartObject();
        json.WriteNumber("order-id", order.OrderId);
        json.WriteStartArray("fields");
        foreach (var field in order.Fields)
        {
            json.WriteStartObject();
            json.WriteString("transform", field.Transform);
            json.WriteNumber("source-id", field.SourceId);
            json.WriteString("direction", field.Direction);
            json.WriteString("null-order", field.NullOrder);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSnapshot(Utf8JsonWriter json, Snapshot snapshot)
    {
        json.WriteStartObject();
        json.WriteNumber("snapshot-id", snapshot.SnapshotId);
        if (snapshot.ParentSnapshotId is { } parent)
        {
            json.WriteNumber("parent-snapshot-id", parent);
        }

        json.WriteNumber("sequence-number", snapshot.SequenceNumber);
        json.WriteNumber("timestamp-ms", snapshot.TimestampMs);
        json.WriteString("manifest-list", snapshot.ManifestList);
        json.WriteStartObject("summary");
        foreach (var (key, value) in snapshot.Summary)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        if (snapshot.SchemaId is { } schemaId)
        {
            json.WriteNumber("schema-id", schemaId);
        }

        json.WriteEndObject();
    }

    private static string WriteAlone(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions with { Indented = false }))
        {
            write(json);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static IcebergSchema ReadSchema(JsonElement element)
    {
        Expect(element, JsonValueKind.Object, "schema");
        var schemaId = Int(element, "schema-id", "schema");
        var context = $"schema {schemaId}";
        var type = String(element, "type", context);
        if (type != "struct")
        {
            throw new IcebergMetadataException($"{context} has type '{type}'; a schema must be a struct.");
        }

        return new IcebergSchema(schemaId, [.. Array(element, "fields", context).Select(f =>
        {
            Expect(f, JsonValueKind.Object, $"{context} field");
            var id = Int(f, "id", $"{context} field");
            var fieldContext = $"{context} field {id}";
            return new SchemaField(id, String(f, "name", fieldContext), Bool(f, "required", fieldContext), ReadType(Property(f, "type", fieldContext), fieldContext));
        })]);
    }

    private static IcebergType ReadType(JsonElement element, string context)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            var name = element.GetString()!;
            if (PrimitiveType.FromName(name) is { } primitive)
            {
                return primitive;
            }

            return TryReadDecimal(name) ?? throw new IcebergMetadataException($"{context} has unknown type '{name}'.");
        }

        Expect(element, JsonValueKind.Object, $"{context} type");
        var kind = String(element, "type", $"{context} type");
        if (kind != "list")
        {
            throw new IcebergMetadataException($"{context} has a '{kind}' type; K2 reads primitive and list columns only.");
        }

        return new ListType(
            Int(element, "element-id", $"{context} list"),
            Bool(element, "element-required", $"{context} list"),
            ReadType(Property(element, "element", $"{context} list"), $"{context} list element"));
    }

    /// <summary><c>decimal(P,S)</c>, with the optional whitespace the spec tells readers to accept.</summary>
    private static DecimalType? TryReadDecimal(string name)
    {
        if (!name.StartsWith("decimal(", StringComparison.Ordinal) || !name.EndsWith(')'))
        {
            return null;
        }

        var parts = name[8..^1].Split(',');
        if (parts.Length != 2
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var precision)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var scale)
            || precision is < 1 or > 38 || scale > precision)
        {
            return null;
        }

        return new DecimalType(precision, scale);
    }

    private static PartitionSpec ReadPartitionSpec(JsonElement element)
    {
        Expect(element, JsonValueKind.Object, "partition spec");
        var specId = Int(element, "spec-id", "partition spec");
        var context = $"partition spec {specId}";
        return new PartitionSpec(specId, [.. Array(element, "fields", context).Select(f => new PartitionField(
            Int(f, "source-id", $"{context} field"), Int(f, "field-id", $"{context} field"),
            String(f, "name", $"{context} field"), String(f, "transform", $"{context} field")))]);
    }

    private static SortOrder ReadSortOrder(JsonElement element)
    {
        Expect(element, JsonValueKind.Object, "sort order");
        var orderId = Int(element, "order-id", "sort order");
        var context = $"sort order {orderId}";
        return new SortOrder(orderId, [.. Array(element, "fields", context).Select(f => new SortField(
            String(f, "transform", $"{context} field"), Int(f, "source-id", $"{context} field"),
            String(f, "direction", $"{context} field"), String(f, "null-order", $"{context} field")))]);
    }

    private static Snapshot ReadSnapshot(JsonElement element)
    {
        Expect(element, JsonValueKind.Object, "snapshot");
        var snapshotId = Long(element, "snapshot-id", "snapshot");
        var context = $"snapshot {snapshotId}";
        var summary = Object(element, "summary", context)
            .ToDictionary(p => p.Name, p => StringValue(p.Value, $"{context} summary '{p.Name}'"), StringComparer.Ordinal);
        if (!summary.ContainsKey("operation"))
        {
            throw new IcebergMetadataException($"{context} summary has no 'operation'.");
        }

        return new Snapshot(
            snapshotId,
            OptionalLong(element, "parent-snapshot-id", context),
            Long(element, "sequence-number", context),
            Long(element, "timestamp-ms", context),
            String(element, "manifest-list", context),
            summary,
            element.TryGetProperty("schema-id", out var schemaId) && schemaId.ValueKind != JsonValueKind.Null
                ? Int(element, "schema-id", context)
                : null);
    }

    private static void Expect(JsonElement element, JsonValueKind kind, string context)
    {
        if (element.ValueKind != kind)
        {
            throw new IcebergMetadataException($"{context} is a JSON {element.ValueKind}, expected {kind}.");
        }
    }

    private static JsonElement Property(JsonElement element, string name, string context)
    {
        Expect(element, JsonValueKind.Object, context);
        return element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new IcebergMetadataException($"{context} has no '{name}'.");
    }

    private static int Int(JsonElement element, string name, string context) =>
        Property(element, name, context) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var result)
            ? result
            : throw new IcebergMetadataException($"{context} field '{name}' is not a 32-bit integer.");

    private static long Long(JsonElement element, string name, string context) =>
        Property(element, name, context) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var result)
            ? result
            : throw new IcebergMetadataException($"{context} field '{name}' is not a 64-bit integer.");

    private static long? OptionalLong(JsonElement element, string name, string context) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? Long(element, name, context) : null;

    private static bool Bool(JsonElement element, string name, string context) =>
        Property(element, name, context) switch
        {
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            _ => throw new IcebergMetadataException($"{context} field '{name}' is not a boolean."),
        };

    private static string String(JsonElement element, string name, string context) =>
        StringValue(Property(element, name, context), $"{context} field '{name}'");

    private static string StringValue(JsonElement value, string context) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new IcebergMetadataException($"{context} is not a string.");

    private static JsonElement.ArrayEnumerator Array(JsonElement element, string name, string context)
    {
        var value = Property(element, name, context);
        Expect(value, JsonValueKind.Array, $"{context} field '{name}'");
        return value.EnumerateArray();
    }

    private static IEnumerable<JsonElement> OptionalArray(JsonElement element, string name, string context) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? Array(element, name, context) : [];

    private static IEnumerable<JsonProperty> Object(JsonElement element, string name, string context)
    {
        var value = Property(element, name, context);
        Expect(value, JsonValueKind.Object, $"{context} field '{name}'");
        return value.EnumerateObject();
    }

    private static IEnumerable<JsonProperty> OptionalObject(JsonElement element, string name, string context) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? Object(element, name, context) : [];
}

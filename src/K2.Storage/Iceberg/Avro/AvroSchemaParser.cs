using System.Text.Json;

namespace K2.Storage.Iceberg.Avro;

/// <summary>
/// Reads Avro schema JSON (specification section "Schema Declaration"): primitive names, records, enums, arrays,
/// maps, unions, fixed, and references to named types by name or full name, resolved against namespaces.
/// </summary>
internal sealed class AvroSchemaParser
{
    private readonly Dictionary<string, AvroSchema> _namedTypes = new(StringComparer.Ordinal);

    public static AvroSchema Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Avro schema is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            return new AvroSchemaParser().ParseSchema(document.RootElement, enclosingNamespace: null);
        }
    }

    private AvroSchema ParseSchema(JsonElement element, string? enclosingNamespace) => element.ValueKind switch
    {
        JsonValueKind.String => ParseName(element.GetString()!, logicalType: null, enclosingNamespace),
        JsonValueKind.Array => ParseUnion(element, enclosingNamespace),
        JsonValueKind.Object => ParseObject(element, enclosingNamespace),
        _ => throw new FormatException($"Avro schema element must be a name, an object or a union array, not {element.ValueKind}: {element.GetRawText()}"),
    };

    private AvroSchema ParseName(string name, string? logicalType, string? enclosingNamespace)
    {
        if (PrimitiveType(name) is { } primitive)
        {
            return new AvroPrimitiveSchema(primitive, logicalType);
        }

        if (_namedTypes.TryGetValue(FullName(name, enclosingNamespace), out var named) || _namedTypes.TryGetValue(name, out named))
        {
            return named;
        }

        throw new FormatException($"Avro schema refers to unknown type \"{name}\".");
    }

    private AvroUnionSchema ParseUnion(JsonElement element, string? enclosingNamespace)
    {
        var branches = new List<AvroSchema>();
        foreach (var branch in element.EnumerateArray())
        {
            var schema = ParseSchema(branch, enclosingNamespace);
            if (schema.Type == AvroType.Union)
            {
                throw new FormatException("Avro unions may not immediately contain other unions.");
            }

            branches.Add(schema);
        }

        if (branches.Count == 0)
        {
            throw new FormatException("Avro union has no branches.");
        }

        return new AvroUnionSchema(branches);
    }

    private AvroSchema ParseObject(JsonElement element, string? enclosingNamespace)
    {
        if (!element.TryGetProperty("type", out var typeElement))
        {
            throw new FormatException($"Avro schema object has no \"type\": {element.GetRawText()}");
        }

        if (typeElement.ValueKind != JsonValueKind.String)
        {
            // {"type": {...}} or {"type": [...]}: the attribute holds a whole schema.
            return ParseSchema(typeElement, enclosingNamespace);
        }

        var logicalType = OptionalString(element, "logicalType");
        return typeElement.GetString() switch
        {
            "record" or "error" => ParseRecord(element, enclosingNamespace),
            "enum" => ParseEnum(element, enclosingNamespace),
            "fixed" => ParseFixed(element, enclosingNamespace),
            "array" => new AvroArraySchema(
                ParseSchema(RequiredProperty(element, "items", "array"), enclosingNamespace),
                OptionalInt(element, "element-id"),
                logicalType),
            "map" => new AvroMapSchema(ParseSchema(RequiredProperty(element, "values", "map"), enclosingNamespace)),
            var name => ParseName(name!, logicalType, enclosingNamespace),
        };
    }

    private AvroRecordSchema ParseRecord(JsonElement element, string? enclosingNamespace)
    {
        var (fullName, space) = DeclaredName(element, enclosingNamespace, "record");
        var record = new AvroRecordSchema(fullName);
        Declare(fullName, record);

        var fieldsElement = RequiredProperty(element, "fields", $"record {fullName}");
        if (fieldsElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"Avro record {fullName}: \"fields\" must be an array.");
        }

        var fields = new List<AvroField>();
        foreach (var fieldElement in fieldsElement.EnumerateArray())
        {
            if (fieldElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"Avro record {fullName}: each field must be an object.");
            }

            var name = OptionalString(fieldElement, "name") ?? throw new FormatException($"Avro record {fullName} has a field without a name.");
            if (fields.Exists(f => f.Name == name))
            {
                throw new FormatException($"Avro record {fullName} declares field \"{name}\" twice.");
            }

            var schema = ParseSchema(RequiredProperty(fieldElement, "type", $"field {fullName}.{name}"), space);
            fields.Add(new AvroField(name, schema, OptionalInt(fieldElement, "field-id")));
        }

        record.Fields = fields;
        return record;
    }

    private AvroEnumSchema ParseEnum(JsonElement element, string? enclosingNamespace)
    {
        var (fullName, _) = DeclaredName(element, enclosingNamespace, "enum");
        var symbolsElement = RequiredProperty(element, "symbols", $"enum {fullName}");
        if (symbolsElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"Avro enum {fullName}: \"symbols\" must be an array.");
        }

        var symbols = symbolsElement.EnumerateArray()
            .Select(s => s.ValueKind == JsonValueKind.String ? s.GetString()! : throw new FormatException($"Avro enum {fullName}: symbols must be strings."))
            .ToList();
        if (symbols.Count != symbols.Distinct(StringComparer.Ordinal).Count())
        {
            throw new FormatException($"Avro enum {fullName} repeats a symbol.");
        }

        var schema = new AvroEnumSchema(fullName, symbols);
        Declare(fullName, schema);
        return schema;
    }

    private AvroFixedSchema ParseFixed(JsonElement element, string? enclosingNamespace)
    {
        var (fullName, _) = DeclaredName(element, enclosingNamespace, "fixed");
        var size = OptionalInt(element, "size") ?? throw new FormatException($"Avro fixed {fullName} has no integer \"size\".");
        if (size < 0)
        {
            throw new FormatException($"Avro fixed {fullName} has negative size {size}.");
        }

        var schema = new AvroFixedSchema(fullName, size);
        Declare(fullName, schema);
        return schema;
    }

    private void Declare(string fullName, AvroSchema schema)
    {
        if (PrimitiveType(fullName) is not null || !_namedTypes.TryAdd(fullName, schema))
        {
            throw new FormatException($"Avro schema declares the name \"{fullName}\" twice or reuses a primitive type name.");
        }
    }

    private static (string FullName, string? Namespace) DeclaredName(JsonElement element, string? enclosingNamespace, string kind)
    {
        var name = OptionalString(element, "name");
        if (string.IsNullOrEmpty(name))
        {
            throw new FormatException($"Avro {kind} has no name.");
        }

        var space = element.TryGetProperty("namespace", out var ns) && ns.ValueKind == JsonValueKind.String ? ns.GetString() : enclosingNamespace;
        var fullName = FullName(name, space);
        var lastDot = fullName.LastIndexOf('.');
        return (fullName, lastDot < 0 ? null : fullName[..lastDot]);
    }

    private static string FullName(string name, string? space) =>
        name.Contains('.', StringComparison.Ordinal) || string.IsNullOrEmpty(space) ? name : $"{space}.{name}";

    private static JsonElement RequiredProperty(JsonElement element, string property, string owner) =>
        element.TryGetProperty(property, out var value) ? value : throw new FormatException($"Avro {owner} has no \"{property}\".");

    private static string? OptionalString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? OptionalInt(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;

    private static AvroType? PrimitiveType(string name) => name switch
    {
        "null" => AvroType.Null,
        "boolean" => AvroType.Boolean,
        "int" => AvroType.Int,
        "long" => AvroType.Long,
        "float" => AvroType.Float,
        "double" => AvroType.Double,
        "bytes" => AvroType.Bytes,
        "string" => AvroType.String,
        _ => null,
    };
}

namespace K2.Storage.Iceberg.Avro;

/// <summary>
/// A parsed Avro schema: what the binary codec needs to encode or decode a value, plus the Iceberg annotations
/// (<c>field-id</c>, <c>element-id</c>, <c>logicalType</c>) that readers use to find fields by id. Schemas are classes,
/// not records, because a record may refer to itself and structural equality would never end.
/// </summary>
public abstract class AvroSchema
{
    private protected AvroSchema(AvroType type) => Type = type;

    public AvroType Type { get; }

    /// <summary>Parses schema JSON (as stored under <c>avro.schema</c>); throws <see cref="FormatException"/> if it is not a valid schema.</summary>
    public static AvroSchema Parse(string json) => AvroSchemaParser.Parse(json);

    public override string ToString() => Type.ToString().ToLowerInvariant();
}

/// <summary>null, boolean, int, long, float, double, bytes or string, with the logical type annotation if any.</summary>
public sealed class AvroPrimitiveSchema(AvroType type, string? logicalType = null) : AvroSchema(type)
{
    public string? LogicalType { get; } = logicalType;
}

/// <summary>A record field; <see cref="FieldId"/> is the Iceberg <c>field-id</c> attribute when present.</summary>
public sealed class AvroField(string name, AvroSchema schema, int? fieldId)
{
    public string Name { get; } = name;

    public AvroSchema Schema { get; } = schema;

    public int? FieldId { get; } = fieldId;
}

public sealed class AvroRecordSchema : AvroSchema
{
    private IReadOnlyList<AvroField> _fields = [];

    public AvroRecordSchema(string fullName)
        : base(AvroType.Record) => FullName = fullName;

    public string FullName { get; }

    /// <summary>Set once while parsing, after the record's name is known, so fields can refer to the record itself.</summary>
    public IReadOnlyList<AvroField> Fields
    {
        get => _fields;
        internal set => _fields = value;
    }

    /// <summary>The position of the field called <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            if (_fields[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The position of the field whose Iceberg field id is <paramref name="fieldId"/>, or -1.</summary>
    public int IndexOfFieldId(int fieldId)
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            if (_fields[i].FieldId == fieldId)
            {
                return i;
            }
        }

        return -1;
    }

    public override string ToString() => FullName;
}

public sealed class AvroEnumSchema(string fullName, IReadOnlyList<string> symbols) : AvroSchema(AvroType.Enum)
{
    public string FullName { get; } = fullName;

    public IReadOnlyList<string> Symbols { get; } = symbols;

    public override string ToString() => FullName;
}

/// <summary>An array; Iceberg stores a list's element id as <c>element-id</c> and int-keyed maps as arrays with logical type <c>map</c>.</summary>
public sealed class AvroArraySchema(AvroSchema items, int? elementId = null, string? logicalType = null) : AvroSchema(AvroType.Array)
{
    public AvroSchema Items { get; } = items;

    public int? ElementId { get; } = elementId;

    public string? LogicalType { get; } = logicalType;
}

/// <summary>A map with string keys.</summary>
public sealed class AvroMapSchema(AvroSchema values) : AvroSchema(AvroType.Map)
{
    public AvroSchema Values { get; } = values;
}

public sealed class AvroUnionSchema(IReadOnlyList<AvroSchema> branches) : AvroSchema(AvroType.Union)
{
    public IReadOnlyList<AvroSchema> Branches { get; } = branches;

    public override string ToString() => $"[{string.Join(", ", Branches)}]";
}

public sealed class AvroFixedSchema(string fullName, int size) : AvroSchema(AvroType.Fixed)
{
    public string FullName { get; } = fullName;

    public int Size { get; } = size;

    public override string ToString() => FullName;
}

using K2.Storage.Iceberg.Avro;

namespace K2.Storage.Iceberg.Manifests;

/// <summary>
/// Typed access to the fields of manifest records by Iceberg field id, the way Iceberg readers project Avro files:
/// a reader finds fields by id, not by position or name. A missing required field or a value of the wrong type
/// throws <see cref="FormatException"/> naming the field.
/// </summary>
internal static class IcebergRecordFields
{
    /// <summary>The record schema of field <paramref name="name"/>, looking through an optional union.</summary>
    public static AvroRecordSchema RecordSchemaOf(AvroRecordSchema owner, string name)
    {
        var index = owner.IndexOf(name);
        var schema = index < 0 ? null : NonNull(owner.Fields[index].Schema);
        return schema switch
        {
            AvroRecordSchema record => record,
            AvroArraySchema { Items: AvroRecordSchema items } => items,
            _ => throw new InvalidOperationException($"Avro record {owner.FullName} has no record field \"{name}\"."),
        };
    }

    /// <summary>The branch that is not null of an optional union, or the schema itself.</summary>
    public static AvroSchema NonNull(AvroSchema schema) =>
        schema is AvroUnionSchema union && union.Branches.Count == 2 && union.Branches.Any(b => b.Type == AvroType.Null)
            ? union.Branches.First(b => b.Type != AvroType.Null)
            : schema;

    public static object? Optional(AvroRecord record, int fieldId) => record.TryGetByFieldId(fieldId, out var value) ? value : null;

    public static object Required(AvroRecord record, int fieldId, string name) =>
        Optional(record, fieldId) ?? throw new FormatException($"Avro record {record.Schema.FullName} has no value for field {fieldId} ({name}).");

    public static int RequiredInt(AvroRecord record, int fieldId, string name) => Required(record, fieldId, name) switch
    {
        int value => value,
        var other => throw WrongType(record, fieldId, name, "int", other),
    };

    public static long RequiredLong(AvroRecord record, int fieldId, string name) => Required(record, fieldId, name) switch
    {
        long value => value,
        int value => value,
        var other => throw WrongType(record, fieldId, name, "long", other),
    };

    public static string RequiredString(AvroRecord record, int fieldId, string name) => Required(record, fieldId, name) switch
    {
        string value => value,
        var other => throw WrongType(record, fieldId, name, "string", other),
    };

    public static bool RequiredBoolean(AvroRecord record, int fieldId, string name) => Required(record, fieldId, name) switch
    {
        bool value => value,
        var other => throw WrongType(record, fieldId, name, "boolean", other),
    };

    public static AvroRecord RequiredRecord(AvroRecord record, int fieldId, string name) => Required(record, fieldId, name) switch
    {
        AvroRecord value => value,
        var other => throw WrongType(record, fieldId, name, "record", other),
    };

    public static int? OptionalInt(AvroRecord record, int fieldId, string name) => Optional(record, fieldId) switch
    {
        null => null,
        int value => value,
        var other => throw WrongType(record, fieldId, name, "int", other),
    };

    public static long? OptionalLong(AvroRecord record, int fieldId, string name) => Optional(record, fieldId) switch
    {
        null => null,
        long value => value,
        int value => value,
        var other => throw WrongType(record, fieldId, name, "long", other),
    };

    public static bool? OptionalBoolean(AvroRecord record, int fieldId, string name) => Optional(record, fieldId) switch
    {
        null => null,
        bool value => value,
        var other => throw WrongType(record, fieldId, name, "boolean", other),
    };

    public static byte[]? OptionalBytes(AvroRecord record, int fieldId, string name) => Optional(record, fieldId) switch
    {
        null => null,
        byte[] value => value,
        var other => throw WrongType(record, fieldId, name, "bytes", other),
    };

    public static IReadOnlyList<object?>? OptionalArray(AvroRecord record, int fieldId, string name) => Optional(record, fieldId) switch
    {
        null => null,
        IReadOnlyList<object?> value => value,
        var other => throw WrongType(record, fieldId, name, "array", other),
    };

    /// <summary>An int-keyed map stored as an array of two-field key/value records (the key first).</summary>
    public static Dictionary<int, T>? OptionalIntKeyedMap<T>(AvroRecord record, int fieldId, string name)
    {
        var items = OptionalArray(record, fieldId, name);
        if (items is null)
        {
            return null;
        }

        var map = new Dictionary<int, T>(items.Count);
        foreach (var item in items)
        {
            if (item is not AvroRecord { Values: [int key, T value] })
            {
                throw new FormatException($"Field {fieldId} ({name}) holds an element that is not an (int, {typeof(T).Name}) key/value record.");
            }

            if (!map.TryAdd(key, value))
            {
                throw new FormatException($"Field {fieldId} ({name}) repeats key {key}.");
            }
        }

        return map;
    }

    private static FormatException WrongType(AvroRecord record, int fieldId, string name, string expected, object? actual) =>
        new($"Avro record {record.Schema.FullName} field {fieldId} ({name}) should be {expected}, but holds {actual?.GetType().Name ?? "null"}.");
}

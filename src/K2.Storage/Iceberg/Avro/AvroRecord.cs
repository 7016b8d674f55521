namespace K2.Storage.Iceberg.Avro;

/// <summary>
/// A record value: one slot per field of its schema, in declared order. Field values use the simple value model
/// of <see cref="AvroDatum"/>; fields can be reached by name or by Iceberg field id.
/// </summary>
public sealed class AvroRecord
{
    private readonly object?[] _values;

    public AvroRecord(AvroRecordSchema schema)
    {
        Schema = schema;
        _values = new object?[schema.Fields.Count];
    }

    public AvroRecordSchema Schema { get; }

    public IReadOnlyList<object?> Values => _values;

    public object? this[int index]
    {
        get => _values[index];
        set => _values[index] = value;
    }

    public object? this[string name]
    {
        get => _values[IndexOf(name)];
        set => _values[IndexOf(name)] = value;
    }

    /// <summary>Whether the schema has a field with Iceberg id <paramref name="fieldId"/>, and its value if so.</summary>
    public bool TryGetByFieldId(int fieldId, out object? value)
    {
        var index = Schema.IndexOfFieldId(fieldId);
        value = index < 0 ? null : _values[index];
        return index >= 0;
    }

    private int IndexOf(string name)
    {
        var index = Schema.IndexOf(name);
        return index >= 0 ? index : throw new ArgumentException($"Avro record {Schema.FullName} has no field \"{name}\".", nameof(name));
    }
}

namespace K2.Storage.Iceberg.Parquet.Thrift;

/// <summary>
/// A struct (or union) as its fields in wire order, known or not. The typed getters throw
/// <see cref="FormatException"/> naming the struct and field when a field is missing or of the wrong type, so a
/// footer that decodes as Thrift but is not a Parquet footer fails clearly.
/// </summary>
internal sealed record ThriftStruct(List<ThriftField> Fields) : ThriftValue
{
    public ThriftStruct()
        : this(new List<ThriftField>())
    {
    }

    public override ThriftCompactType Type => ThriftCompactType.Struct;

    public ThriftValue? Find(short id)
    {
        foreach (var field in Fields)
        {
            if (field.Id == id)
            {
                return field.Value;
            }
        }

        return null;
    }

    /// <summary>Replaces the field's value, or inserts the field before the first field with a higher id.</summary>
    public void Set(short id, ThriftValue value)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (Fields[i].Id == id)
            {
                Fields[i] = new ThriftField(id, value);
                return;
            }

            if (Fields[i].Id > id)
            {
                Fields.Insert(i, new ThriftField(id, value));
                return;
            }
        }

        Fields.Add(new ThriftField(id, value));
    }

    public void Remove(short id) => Fields.RemoveAll(field => field.Id == id);

    public T? Optional<T>(short id, string name)
        where T : ThriftValue =>
        Find(id) switch
        {
            null => null,
            T value => value,
            var other => throw new FormatException($"{name} (Thrift field {id}) is {other.Type}, expected {typeof(T).Name[6..]}."),
        };

    public T Required<T>(short id, string name)
        where T : ThriftValue =>
        Optional<T>(id, name) ?? throw new FormatException($"{name} (Thrift field {id}) is missing.");

    /// <summary>The list's elements, each checked to be a <typeparamref name="T"/>.</summary>
    public IEnumerable<T> ListOf<T>(short id, string name, bool required)
        where T : ThriftValue
    {
        var list = required ? Required<ThriftList>(id, name) : Optional<ThriftList>(id, name);
        if (list is null)
        {
            yield break;
        }

        for (var i = 0; i < list.Elements.Count; i++)
        {
            yield return list.Elements[i] as T
                ?? throw new FormatException($"{name}[{i}] (Thrift field {id}) is {list.Elements[i].Type}, expected {typeof(T).Name[6..]}.");
        }
    }
}

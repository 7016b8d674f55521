namespace K2.Storage.Iceberg.Metadata;

/// <summary>A table schema (a struct of columns) with the id that snapshots and manifests refer to.</summary>
public sealed record IcebergSchema(int SchemaId, IReadOnlyList<SchemaField> Fields)
{
    /// <summary>The highest field id in the schema, list element ids included: the table's <c>last-column-id</c>.</summary>
    public int HighestFieldId => Fields.Count == 0 ? 0 : Fields.Max(f => Math.Max(f.Id, HighestId(f.Type)));

    /// <summary>The top-level column called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such column.</exception>
    public SchemaField Field(string name) =>
        Fields.FirstOrDefault(f => f.Name == name) ?? throw new ArgumentException($"The schema has no column '{name}'.", nameof(name));

    private static int HighestId(IcebergType type) =>
        type is ListType list ? Math.Max(list.ElementId, HighestId(list.Element)) : 0;
}

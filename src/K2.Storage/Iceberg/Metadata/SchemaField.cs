namespace K2.Storage.Iceberg.Metadata;

/// <summary>One column of a schema: readers match data-file columns to it by <see cref="Id"/>, never by position.</summary>
public sealed record SchemaField(int Id, string Name, bool Required, IcebergType Type);

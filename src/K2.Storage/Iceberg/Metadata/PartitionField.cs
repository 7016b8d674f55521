namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// One field of a partition spec: <see cref="Transform"/> (e.g. <c>day</c>) applied to the column <see cref="SourceId"/>.
/// Partition field ids start at 1000 so they never collide with column ids.
/// </summary>
public sealed record PartitionField(int SourceId, int FieldId, string Name, string Transform);

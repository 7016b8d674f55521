namespace K2.Storage.Iceberg.Metadata;

/// <summary>One key of a sort order; <see cref="Direction"/> is <c>asc</c>/<c>desc</c>, <see cref="NullOrder"/> <c>nulls-first</c>/<c>nulls-last</c>.</summary>
public sealed record SortField(string Transform, int SourceId, string Direction, string NullOrder);

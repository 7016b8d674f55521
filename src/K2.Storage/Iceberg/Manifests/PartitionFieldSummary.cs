namespace K2.Storage.Iceberg.Manifests;

/// <summary>manifest_file.partitions element (field 508): what one partition field's values span across a manifest, for pruning.</summary>
/// <param name="ContainsNull">Field 509.</param>
/// <param name="ContainsNan">Field 518.</param>
/// <param name="LowerBound">Field 510, single-value serialized; null when every value is null.</param>
/// <param name="UpperBound">Field 511, single-value serialized; null when every value is null.</param>
public sealed record PartitionFieldSummary(bool ContainsNull, bool? ContainsNan, byte[]? LowerBound, byte[]? UpperBound);

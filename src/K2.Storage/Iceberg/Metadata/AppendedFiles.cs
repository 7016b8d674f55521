namespace K2.Storage.Iceberg.Metadata;

/// <summary>What one append added to a table: the snapshot summary's <c>added-*</c> counts, from which totals follow.</summary>
public sealed record AppendedFiles(long DataFiles, long Records, long FilesSizeBytes);

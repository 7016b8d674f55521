namespace K2.Storage.Iceberg.Metadata;

/// <summary>A previous metadata file of the table and when it was replaced.</summary>
public sealed record MetadataLogEntry(string MetadataFile, long TimestampMs);

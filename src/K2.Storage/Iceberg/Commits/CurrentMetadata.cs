using K2.Storage.Iceberg.Metadata;

namespace K2.Storage.Iceberg.Commits;

/// <summary>The metadata file a table's catalog entry points at, and what it holds.</summary>
public sealed record CurrentMetadata(string Location, TableMetadata Metadata)
{
    /// <summary>The version its name carries (0 for a name that carries none, so the next file is version 1).</summary>
    public int Version => MetadataFileNames.VersionOf(Location) ?? 0;
}

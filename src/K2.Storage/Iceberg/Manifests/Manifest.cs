namespace K2.Storage.Iceberg.Manifests;

/// <summary>A manifest read back: its header and its entries, exactly as stored (nothing inherited yet).</summary>
public sealed record Manifest(ManifestHeader Header, IReadOnlyList<ManifestEntry> Entries);

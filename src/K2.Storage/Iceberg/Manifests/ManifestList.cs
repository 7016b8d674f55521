namespace K2.Storage.Iceberg.Manifests;

/// <summary>A snapshot's manifest list read back: its header and one entry per manifest.</summary>
public sealed record ManifestList(ManifestListHeader Header, IReadOnlyList<ManifestFile> Manifests);

namespace K2.Storage.Iceberg.Manifests;

/// <summary>manifest_file.content (field 517): whether a manifest tracks data files or delete files.</summary>
public enum ManifestContent
{
    Data = 0,
    Deletes = 1,
}

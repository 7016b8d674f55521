namespace K2.Storage.Iceberg.Offload;

/// <summary>The points of an offload between which a crash leaves a different trace in the warehouse.</summary>
public enum OffloadStep
{
    /// <summary>Data files stored; nothing references them yet.</summary>
    DataFilesWritten,

    /// <summary>Manifest and manifest list stored; no metadata file references them yet.</summary>
    ManifestsWritten,

    /// <summary>The new metadata file stored; the catalog still points at the previous one.</summary>
    BeforeCommit,

    /// <summary>The catalog points at the new metadata; the version hint and the watermark mirror are not updated yet.</summary>
    AfterCommit,
}

namespace K2.Storage.Iceberg.Metadata;

/// <summary>A named branch or tag; the <c>main</c> branch always points at the current snapshot.</summary>
public sealed record SnapshotRef(long SnapshotId, string Type)
{
    public const string MainBranch = "main";

    public static SnapshotRef Branch(long snapshotId) => new(snapshotId, "branch");
}

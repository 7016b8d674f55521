namespace K2.Storage.Iceberg.Metadata;

/// <summary>
/// One version of an Iceberg v2 table's metadata file: everything a reader needs to find the table's current data.
/// Immutable: each change (see <see cref="TableMetadataUpdates"/>) gives a new value, written as a new file.
/// </summary>
public sealed record TableMetadata
{
    public const int SupportedFormatVersion = 2;

    public int FormatVersion { get; init; } = SupportedFormatVersion;
    public required Guid TableUuid { get; init; }
    public required string Location { get; init; }
    public required long LastSequenceNumber { get; init; }
    public required long LastUpdatedMs { get; init; }
    public required int LastColumnId { get; init; }
    public required int CurrentSchemaId { get; init; }
    public required IReadOnlyList<IcebergSchema> Schemas { get; init; }
    public required int DefaultSpecId { get; init; }
    public required IReadOnlyList<PartitionSpec> PartitionSpecs { get; init; }
    public required int LastPartitionId { get; init; }
    public required int DefaultSortOrderId { get; init; }
    public required IReadOnlyList<SortOrder> SortOrders { get; init; }
    public required IReadOnlyDictionary<string, string> Properties { get; init; }

    /// <summary>Null for a table nothing was ever committed to (written as -1, as the reference implementation does for v2).</summary>
    public long? CurrentSnapshotId { get; init; }

    public IReadOnlyList<Snapshot> Snapshots { get; init; } = [];
    public IReadOnlyList<SnapshotLogEntry> SnapshotLog { get; init; } = [];
    public IReadOnlyList<MetadataLogEntry> MetadataLog { get; init; } = [];
    public IReadOnlyDictionary<string, SnapshotRef> Refs { get; init; } = new Dictionary<string, SnapshotRef>();

    /// <summary>The snapshot readers see, or null for an empty table.</summary>
    public Snapshot? CurrentSnapshot => CurrentSnapshotId is { } id ? Snapshots.FirstOrDefault(s => s.SnapshotId == id) : null;

    public IcebergSchema CurrentSchema => Schemas.First(s => s.SchemaId == CurrentSchemaId);

    public PartitionSpec DefaultSpec => PartitionSpecs.First(s => s.SpecId == DefaultSpecId);
}

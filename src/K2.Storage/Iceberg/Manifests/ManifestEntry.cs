namespace K2.Storage.Iceberg.Manifests;

/// <summary>
/// One manifest_entry record. In format v2 the snapshot id and both sequence numbers may be null: new entries are
/// written that way and take their values from the manifest's entry in the manifest list (<see cref="InheritFrom"/>).
/// </summary>
/// <param name="Status">Field 0.</param>
/// <param name="SnapshotId">Field 1: the snapshot that added (or deleted) the file.</param>
/// <param name="SequenceNumber">Field 3: the data sequence number.</param>
/// <param name="FileSequenceNumber">Field 4: the sequence number of the snapshot that added the file.</param>
/// <param name="DataFile">Field 2.</param>
public sealed record ManifestEntry(
    ManifestEntryStatus Status,
    long? SnapshotId,
    long? SequenceNumber,
    long? FileSequenceNumber,
    DataFile DataFile)
{
    /// <summary>An entry for a file added by the snapshot that commits the manifest: every inheritable field null.</summary>
    public static ManifestEntry Added(DataFile dataFile) => new(ManifestEntryStatus.Added, null, null, null, dataFile);

    /// <summary>
    /// Fills null fields from the manifest's manifest-list entry, as the spec's "Sequence Number Inheritance" says:
    /// the snapshot id always, the sequence numbers only for ADDED entries (others must carry their own).
    /// </summary>
    public ManifestEntry InheritFrom(ManifestFile manifest)
    {
        var inheritsSequence = Status == ManifestEntryStatus.Added;
        var sequenceNumber = SequenceNumber ?? (inheritsSequence ? manifest.SequenceNumber : throw MissingSequenceNumber("sequence_number"));
        var fileSequenceNumber = FileSequenceNumber ?? (inheritsSequence ? manifest.SequenceNumber : throw MissingSequenceNumber("file_sequence_number"));
        return this with
        {
            SnapshotId = SnapshotId ?? manifest.AddedSnapshotId,
            SequenceNumber = sequenceNumber,
            FileSequenceNumber = fileSequenceNumber,
        };
    }

    private FormatException MissingSequenceNumber(string field) =>
        new($"Manifest entry for {DataFile.FilePath} has status {Status} and a null {field}; only ADDED entries may inherit it.");
}

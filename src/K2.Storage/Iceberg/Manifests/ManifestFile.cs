namespace K2.Storage.Iceberg.Manifests;

/// <summary>One manifest_file record of a manifest list: where a manifest is, what it holds, and its partition summaries.</summary>
/// <param name="ManifestPath">Field 500.</param>
/// <param name="ManifestLength">Field 501: the manifest's size in bytes.</param>
/// <param name="PartitionSpecId">Field 502.</param>
/// <param name="Content">Field 517.</param>
/// <param name="SequenceNumber">Field 515: the sequence number of the snapshot that added the manifest.</param>
/// <param name="MinSequenceNumber">Field 516: the lowest data sequence number of the manifest's live files.</param>
/// <param name="AddedSnapshotId">Field 503.</param>
/// <param name="AddedFilesCount">Field 504.</param>
/// <param name="ExistingFilesCount">Field 505.</param>
/// <param name="DeletedFilesCount">Field 506.</param>
/// <param name="AddedRowsCount">Field 512.</param>
/// <param name="ExistingRowsCount">Field 513.</param>
/// <param name="DeletedRowsCount">Field 514.</param>
/// <param name="Partitions">Field 507: one summary per partition field of the manifest's spec.</param>
public sealed record ManifestFile(
    string ManifestPath,
    long ManifestLength,
    int PartitionSpecId,
    ManifestContent Content,
    long SequenceNumber,
    long MinSequenceNumber,
    long AddedSnapshotId,
    int AddedFilesCount,
    int ExistingFilesCount,
    int DeletedFilesCount,
    long AddedRowsCount,
    long ExistingRowsCount,
    long DeletedRowsCount,
    IReadOnlyList<PartitionFieldSummary>? Partitions)
{
    /// <summary>
    /// The manifest-list entry for a data manifest written by the snapshot <paramref name="snapshotId"/> with sequence
    /// number <paramref name="sequenceNumber"/>: file and row counts by status, the lowest data sequence number of
    /// its live entries (entries that inherit count as <paramref name="sequenceNumber"/>), and the day partition's
    /// summary over every entry.
    /// </summary>
    public static ManifestFile Describe(
        string manifestPath,
        long manifestLength,
        int partitionSpecId,
        long sequenceNumber,
        long snapshotId,
        IReadOnlyCollection<ManifestEntry> entries)
    {
        int Files(ManifestEntryStatus status) => entries.Count(e => e.Status == status);
        long Rows(ManifestEntryStatus status) => entries.Where(e => e.Status == status).Sum(e => e.DataFile.RecordCount);

        var live = entries.Where(e => e.Status != ManifestEntryStatus.Deleted).Select(e => e.SequenceNumber ?? sequenceNumber).ToList();
        var days = entries.Select(e => e.DataFile.PartitionDay).OfType<int>().ToList();
        var summary = new PartitionFieldSummary(
            ContainsNull: entries.Any(e => e.DataFile.PartitionDay is null),
            ContainsNan: false,
            LowerBound: days.Count == 0 ? null : SingleValue.FromDate(days.Min()),
            UpperBound: days.Count == 0 ? null : SingleValue.FromDate(days.Max()));

        return new ManifestFile(
            manifestPath,
            manifestLength,
            partitionSpecId,
            ManifestContent.Data,
            sequenceNumber,
            live.Count == 0 ? sequenceNumber : live.Min(),
            snapshotId,
            Files(ManifestEntryStatus.Added),
            Files(ManifestEntryStatus.Existing),
            Files(ManifestEntryStatus.Deleted),
            Rows(ManifestEntryStatus.Added),
            Rows(ManifestEntryStatus.Existing),
            Rows(ManifestEntryStatus.Deleted),
            [summary]);
    }
}

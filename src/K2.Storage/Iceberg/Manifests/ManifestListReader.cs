using System.Globalization;
using K2.Storage.Iceberg.Avro;
using static K2.Storage.Iceberg.Manifests.IcebergRecordFields;
using static K2.Storage.Iceberg.Manifests.ManifestSchemas;

namespace K2.Storage.Iceberg.Manifests;

/// <summary>
/// Reads a v2 manifest list (K2's, or another writer's: fields are found by id, and sequence numbers written as
/// optional longs are accepted). Anything malformed throws <see cref="FormatException"/>.
/// </summary>
public static class ManifestListReader
{
    public static ManifestList Read(ReadOnlySpan<byte> file)
    {
        var container = AvroContainerReader.Read(file);
        string Header(string key) => container.GetMetadataString(key) ?? throw new FormatException($"Manifest list header has no \"{key}\".");

        var formatVersion = Header("format-version");
        if (formatVersion != "2")
        {
            throw new FormatException($"Manifest list has format-version \"{formatVersion}\"; K2 reads format 2.");
        }

        var parent = Header("parent-snapshot-id");
        var header = new ManifestListHeader(
            ParseLong(Header("snapshot-id"), "snapshot-id"),
            parent == "null" ? null : ParseLong(parent, "parent-snapshot-id"),
            ParseLong(Header("sequence-number"), "sequence-number"));

        var manifests = new List<ManifestFile>(container.Records.Count);
        foreach (var record in container.Records)
        {
            manifests.Add(ToManifestFile(record as AvroRecord ?? throw new FormatException("Manifest list holds a value that is not a record.")));
        }

        return new ManifestList(header, manifests);
    }

    private static ManifestFile ToManifestFile(AvroRecord record)
    {
        var content = RequiredInt(record, ManifestContentId, "content");
        if (!Enum.IsDefined((ManifestContent)content))
        {
            throw new FormatException($"Manifest list entry has content {content}; valid are 0 (data) and 1 (deletes).");
        }

        return new ManifestFile(
            RequiredString(record, ManifestPathId, "manifest_path"),
            RequiredLong(record, ManifestLengthId, "manifest_length"),
            RequiredInt(record, PartitionSpecIdId, "partition_spec_id"),
            (ManifestContent)content,
            RequiredLong(record, ManifestSequenceNumberId, "sequence_number"),
            RequiredLong(record, MinSequenceNumberId, "min_sequence_number"),
            RequiredLong(record, AddedSnapshotIdId, "added_snapshot_id"),
            RequiredInt(record, AddedFilesCountId, "added_files_count"),
            RequiredInt(record, ExistingFilesCountId, "existing_files_count"),
            RequiredInt(record, DeletedFilesCountId, "deleted_files_count"),
            RequiredLong(record, AddedRowsCountId, "added_rows_count"),
            RequiredLong(record, ExistingRowsCountId, "existing_rows_count"),
            RequiredLong(record, DeletedRowsCountId, "deleted_rows_count"),
            OptionalArray(record, PartitionsId, "partitions")?
                .Select(p => ToSummary(p as AvroRecord ?? throw new FormatException("partitions holds a value that is not a field_summary record.")))
                .ToList());
    }

    private static PartitionFieldSummary ToSummary(AvroRecord summary) => new(
        RequiredBoolean(summary, ContainsNullId, "contains_null"),
        OptionalBoolean(summary, ContainsNanId, "contains_nan"),
        OptionalBytes(summary, LowerBoundId, "lower_bound"),
        OptionalBytes(summary, UpperBoundId, "upper_bound"));

    private static long ParseLong(string value, string key) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"Manifest list header \"{key}\" is \"{value}\", not an integer.");
}

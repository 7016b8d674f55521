using System.Globalization;
using K2.Storage.Iceberg.Avro;

namespace K2.Storage.Iceberg.Manifests;

/// <summary>
/// Writes a v2 manifest list: an Avro container file of <c>manifest_file</c> records with the header keys Java and
/// PyIceberg write (<c>snapshot-id</c>, <c>parent-snapshot-id</c> ("null" for the first snapshot),
/// <c>sequence-number</c>, <c>format-version</c>).
/// </summary>
public static class ManifestListWriter
{
    public static void Write(Stream output, ManifestListHeader header, IEnumerable<ManifestFile> manifests, AvroCodec codec)
    {
        var schemaJson = ManifestSchemas.ManifestFile();
        var schema = (AvroRecordSchema)AvroSchema.Parse(schemaJson);
        var summarySchema = IcebergRecordFields.RecordSchemaOf(schema, "partitions");
        var metadata = new Dictionary<string, string>
        {
            ["snapshot-id"] = header.SnapshotId.ToString(CultureInfo.InvariantCulture),
            ["parent-snapshot-id"] = header.ParentSnapshotId?.ToString(CultureInfo.InvariantCulture) ?? "null",
            ["sequence-number"] = header.SequenceNumber.ToString(CultureInfo.InvariantCulture),
            ["format-version"] = "2",
        };

        AvroContainerWriter.Write(output, schemaJson, metadata, manifests.Select(m => (object?)ToRecord(schema, summarySchema, m)), codec);
    }

    private static AvroRecord ToRecord(AvroRecordSchema schema, AvroRecordSchema summarySchema, ManifestFile manifest) => new(schema)
    {
        ["manifest_path"] = manifest.ManifestPath,
        ["manifest_length"] = manifest.ManifestLength,
        ["partition_spec_id"] = manifest.PartitionSpecId,
        ["content"] = (int)manifest.Content,
        ["sequence_number"] = manifest.SequenceNumber,
        ["min_sequence_number"] = manifest.MinSequenceNumber,
        ["added_snapshot_id"] = manifest.AddedSnapshotId,
        ["added_files_count"] = manifest.AddedFilesCount,
        ["existing_files_count"] = manifest.ExistingFilesCount,
        ["deleted_files_count"] = manifest.DeletedFilesCount,
        ["added_rows_count"] = manifest.AddedRowsCount,
        ["existing_rows_count"] = manifest.ExistingRowsCount,
        ["deleted_rows_count"] = manifest.DeletedRowsCount,
        ["partitions"] = manifest.Partitions?
            .Select(p => (object?)new AvroRecord(summarySchema)
            {
                ["contains_null"] = p.ContainsNull,
                ["contains_nan"] = p.ContainsNan,
                ["lower_bound"] = p.LowerBound,
                ["upper_bound"] = p.UpperBound,
            })
            .ToList(),
    };
}

namespace K2.Storage.Iceberg.Manifests;

/// <summary>
/// What a v2 data manifest records about the table in its Avro header (spec "Manifests"): the table schema JSON and
/// its id, the partition spec's fields array as JSON and its id. The partition field is described separately
/// because it shapes the manifest's Avro schema.
/// </summary>
/// <param name="SchemaJson">The table schema as Iceberg JSON (Appendix C), stored under <c>schema</c>.</param>
/// <param name="SchemaId">Stored under <c>schema-id</c>.</param>
/// <param name="PartitionSpecFieldsJson">Only the <c>fields</c> array of the partition spec, stored under <c>partition-spec</c>.</param>
/// <param name="PartitionSpecId">Stored under <c>partition-spec-id</c>.</param>
/// <param name="PartitionField">The spec's single day partition field.</param>
public sealed record ManifestHeader(
    string SchemaJson,
    int SchemaId,
    string PartitionSpecFieldsJson,
    int PartitionSpecId,
    DayPartitionField PartitionField);

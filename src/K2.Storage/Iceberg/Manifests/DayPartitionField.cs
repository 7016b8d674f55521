namespace K2.Storage.Iceberg.Manifests;

/// <summary>
/// The one partition field K2 tables have: <c>day(&lt;timestamp column&gt;)</c>, whose value is a date (days since
/// 1970-01-01). Its name and id become the manifest's <c>partition</c> record (data_file field 102).
/// </summary>
public sealed record DayPartitionField(string Name, int FieldId = DayPartitionField.FirstPartitionFieldId)
{
    /// <summary>Iceberg numbers partition fields from 1000.</summary>
    public const int FirstPartitionFieldId = 1000;
}

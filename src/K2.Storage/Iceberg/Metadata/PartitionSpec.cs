namespace K2.Storage.Iceberg.Metadata;

/// <summary>How a table's rows are grouped into partitions; every data file holds one partition tuple.</summary>
public sealed record PartitionSpec(int SpecId, IReadOnlyList<PartitionField> Fields)
{
    /// <summary>The first partition field id the spec assigns (ids below are column ids).</summary>
    public const int FirstFieldId = 1000;

    /// <summary>The table's <c>last-partition-id</c> for this spec: 999 when unpartitioned, as the reference implementation writes.</summary>
    public int HighestFieldId => Fields.Count == 0 ? FirstFieldId - 1 : Fields.Max(f => f.FieldId);

    /// <summary>A spec of one <c>day</c> partition of <paramref name="source"/>, named <c>&lt;column&gt;_day</c>.</summary>
    public static PartitionSpec DayOf(SchemaField source) =>
        new(0, [new PartitionField(source.Id, FirstFieldId, $"{source.Name}_day", "day")]);
}

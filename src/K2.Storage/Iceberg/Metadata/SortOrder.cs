namespace K2.Storage.Iceberg.Metadata;

/// <summary>A declared sort order of data files; order id 0 is reserved for "unsorted", which K2 tables use.</summary>
public sealed record SortOrder(int OrderId, IReadOnlyList<SortField> Fields)
{
    public static SortOrder Unsorted { get; } = new(0, []);
}

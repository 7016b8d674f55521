namespace K2.Storage.ObjectStores;

/// <summary>Where the Iceberg warehouse lives. Bound from <c>K2:Warehouse</c>.</summary>
public sealed class WarehouseOptions
{
    public const string Section = "K2:Warehouse";

    /// <summary><c>local</c> (embedded mode) or <c>s3</c> (cluster mode).</summary>
    public WarehouseKind Kind { get; set; } = WarehouseKind.Local;

    /// <summary>The warehouse root directory when <see cref="Kind"/> is local; a relative path is taken from the current directory.</summary>
    public string Path { get; set; } = "";

    /// <summary>The bucket when <see cref="Kind"/> is s3.</summary>
    public S3WarehouseOptions S3 { get; set; } = new();
}

/// <summary>The two kinds of object store the warehouse can live in.</summary>
public enum WarehouseKind
{
    Local,
    S3,
}

namespace K2.Storage.Hosting;

/// <summary>
/// Where a data directory puts each store: the embedded hot store in <c>DIR/hot</c>, the Iceberg warehouse in
/// <c>DIR/warehouse</c>, the state database (catalog, watermarks, run log, reminders) in <c>DIR/state/k2.db</c>. The
/// silo's <c>--data</c> sets these over every other layer; without it they are the lowest layer, for <c>./data</c>,
/// in the silo and the standalone API alike.
/// </summary>
public static class DataDirectoryLayout
{
    /// <summary>The data directory when none is given, relative to the current directory.</summary>
    public const string DefaultDirectory = "data";

    public const string EmbeddedDataPathKey = "K2:Storage:Embedded:DataPath";

    public static string EmbeddedDataPath(string dataDirectory) => Path.Combine(dataDirectory, "hot");

    /// <summary>The configuration keys that place every store under <paramref name="dataDirectory"/>.</summary>
    public static Dictionary<string, string?> Settings(string dataDirectory) => new()
    {
        [EmbeddedDataPathKey] = EmbeddedDataPath(dataDirectory),
        ["K2:Warehouse:Path"] = Path.Combine(dataDirectory, "warehouse"),
        ["K2:State:SqlitePath"] = Path.Combine(dataDirectory, "state", "k2.db"),
    };
}

using System.CommandLine;

namespace K2.Silo.Commands;

/// <summary>Options every command that touches the data directory shares.</summary>
internal static class CommonOptions
{
    public static Option<DirectoryInfo> Data() => new("--data")
    {
        Description = "Data directory: the hot store in DIR/hot, the Iceberg warehouse in DIR/warehouse, the state database in DIR/state.",
        DefaultValueFactory = _ => new DirectoryInfo("data"),
    };

    public static Option<FileInfo?> Instruments() => new("--instruments")
    {
        Description = "Instrument registry (default: ./config/instruments.yaml, else the copy next to the k2 binary).",
    };
}

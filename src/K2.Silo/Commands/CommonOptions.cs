using System.CommandLine;
using K2.Core.Instruments;
using K2.Silo.Hosting;
using K2.Storage.Hosting;

namespace K2.Silo.Commands;

/// <summary>Options every command that touches the data directory shares.</summary>
internal static class CommonOptions
{
    /// <summary>
    /// No default value: without <c>--data</c>, the stores' paths come from configuration, where <c>./data</c> is only the
    /// lowest layer, so a path set in the environment or appsettings.json holds.
    /// </summary>
    public static Option<DirectoryInfo?> Data() => new("--data")
    {
        Description = "Data directory: the hot store in DIR/hot, the Iceberg warehouse in DIR/warehouse, the state database in DIR/state " +
            "(default ./data, unless configuration sets those paths).",
    };

    /// <summary>The settings <c>--data</c> gives, over every other layer; none when it was not given.</summary>
    public static Dictionary<string, string?> DataOverrides(ParseResult result, Option<DirectoryInfo?> data) =>
        result.GetValue(data) is { } directory ? DataDirectoryLayout.Settings(directory.FullName) : [];

    public static Option<FileInfo?> Instruments() => new("--instruments")
    {
        Description = "Instrument registry (default: ./config/instruments.yaml, else the copy next to the k2 binary).",
    };

    /// <summary>The registry <c>--instruments</c> names (or the default one); null after saying on stderr what is wrong with it.</summary>
    public static async Task<InstrumentRegistry?> LoadInstrumentsAsync(ParseResult result, Option<FileInfo?> instruments)
    {
        try
        {
            return InstrumentRegistryLoader.LoadFile(InstrumentsFile.Resolve(result.GetValue(instruments)?.FullName));
        }
        catch (InstrumentRegistryException e)
        {
            await result.InvocationConfiguration.Error.WriteLineAsync(e.Message);
            return null;
        }
    }
}

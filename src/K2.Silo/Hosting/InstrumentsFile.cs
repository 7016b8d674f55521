namespace K2.Silo.Hosting;

/// <summary>Finds the instrument registry: the path given, else <c>./config/instruments.yaml</c>, else the copy next to the binary.</summary>
internal static class InstrumentsFile
{
    public static readonly string RelativePath = Path.Combine("config", "instruments.yaml");

    public static string Resolve(string? given)
    {
        if (given is not null)
        {
            return given;
        }

        var local = Path.GetFullPath(RelativePath);
        return File.Exists(local) ? local : Path.Combine(AppContext.BaseDirectory, RelativePath);
    }
}

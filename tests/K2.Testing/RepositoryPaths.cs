namespace K2.Testing;

/// <summary>Files of the repository the tests run from.</summary>
public static class RepositoryPaths
{
    /// <summary>The repository root: the nearest parent of the test binary that holds <c>K2.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    public static string InstrumentsFile => Path.Combine(Root, "config", "instruments.yaml");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "K2.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No K2.sln above {AppContext.BaseDirectory}.");
    }
}

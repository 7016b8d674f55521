using System.Reflection;
using System.Runtime.InteropServices;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// Finds and loads <c>libchdb.so</c> once per process and points <see cref="ChdbNative"/> at it. The library comes from
/// the npm package <c>@chdb/lib-linux-x64-gnu</c>, which the set-up scripts install under <c>.cache/chdb</c>.
/// </summary>
internal static class ChdbLibrary
{
    public const string FileName = "libchdb.so";

    /// <summary>Where the set-up scripts install the library, relative to the repository root.</summary>
    public const string RepositoryCachePath = ".cache/chdb/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so";

    private static readonly Lock Gate = new();
    private static nint s_handle;
    private static string? s_path;

    /// <summary>Loads the library from <paramref name="configuredPath"/> or the default locations; idempotent.</summary>
    public static string Load(string? configuredPath)
    {
        lock (Gate)
        {
            if (s_handle != 0)
            {
                return s_path!;
            }

            var candidates = configuredPath is { Length: > 0 } ? [Path.GetFullPath(configuredPath)] : DefaultCandidates();
            var path = candidates.FirstOrDefault(File.Exists) ?? throw new ClickHouseException(
                $"The embedded ClickHouse library ({FileName}) was not found. Looked in: {string.Join(", ", candidates)}. " +
                "Run the set-up script (it installs it with npm), or set K2__Storage__Embedded__LibraryPath to its path.");

            s_handle = NativeLibrary.Load(path);
            NativeLibrary.SetDllImportResolver(typeof(ChdbLibrary).Assembly, Resolve);
            s_path = path;

            // Rule 1 of reference/chdb.md: chDB's own fatal-signal handlers turn a managed exception into a 300 s hang.
            ChdbNative.chdb_set_signal_handlers_enabled(0);
            return path;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == ChdbNative.Library ? s_handle : 0;

    /// <summary>Next to the application, then <see cref="RepositoryCachePath"/> in the application directory or any parent.</summary>
    private static string[] DefaultCandidates()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, FileName) };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, RepositoryCachePath));
        }

        return [.. candidates];
    }
}

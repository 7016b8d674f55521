using System.Reflection;
using System.Runtime.InteropServices;

namespace K2.Storage.ClickHouse.Embedded;

/// <summary>
/// Finds and loads <c>libchdb.so</c> once per process and points <see cref="ChdbNative"/> at it. The library comes from
/// the npm package <c>@chdb/lib-linux-x64-gnu</c>, which the set-up scripts install under <c>.cache/chdb</c>.
/// </summary>
internal static partial class ChdbLibrary
{
    public const string FileName = "libchdb.so";

    /// <summary>Where the set-up scripts install the library, relative to the repository root.</summary>
    public const string RepositoryCachePath = ".cache/chdb/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so";

    /// <summary>The variable chDB's allocator (its own jemalloc, whose names carry a <c>je_</c> prefix) reads its options from.</summary>
    public const string AllocatorVariable = "JE_MALLOC_CONF";

    /// <summary>
    /// One allocator arena for the engine, where chDB builds in one per CPU. An arena keeps the pages a statement freed
    /// for its own next use, so with one per CPU the engine's peak memory was about one working set per arena. In the
    /// api benchmark's export cases (four runs of each, taken in turns), a fresh k2's first export of 1M cold trades
    /// grew it by 89 to 105 MB (CSV) and 95 to 108 MB (Parquet) with an arena per CPU, and by 68 to 82 and 72 to 83 MB
    /// with one, at the same rates; ingest ran at 603k trades/s either way. chDB's own options stay as they are (the
    /// variable is read after them), and whatever the variable already says comes after these, so it wins.
    /// </summary>
    public const string OneArena = "percpu_arena:disabled,narenas:1";

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

            // jemalloc reads its options once, as the library initialises while it loads.
            var own = Environment.GetEnvironmentVariable(AllocatorVariable);
            if (setenv(AllocatorVariable, own is { Length: > 0 } ? $"{OneArena},{own}" : OneArena, overwrite: 1) != 0)
            {
                throw new ClickHouseException($"Could not set {AllocatorVariable} for the embedded ClickHouse (errno {Marshal.GetLastPInvokeError()}).");
            }

            s_handle = NativeLibrary.Load(path);
            NativeLibrary.SetDllImportResolver(typeof(ChdbLibrary).Assembly, Resolve);
            s_path = path;

            // Rule 1 of reference/chdb.md: chDB's own fatal-signal handlers turn a managed exception into a 300 s hang.
            ChdbNative.chdb_set_signal_handlers_enabled(0);
            return path;
        }
    }

    /// <summary>
    /// The process's native environment, which the library reads; <see cref="Environment.SetEnvironmentVariable(string, string)"/>
    /// changes only .NET's copy of it.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int setenv(string name, string value, int overwrite);

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

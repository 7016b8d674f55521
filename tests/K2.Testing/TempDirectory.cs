namespace K2.Testing;

/// <summary>A fresh directory under the system temp folder (or another parent), deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "k2-test", string? parent = null)
    {
        Path = System.IO.Path.Combine(parent ?? System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>
    /// A fresh directory below the working directory: the only place chDB's <c>icebergLocal</c> may read (its
    /// <c>user_files_path</c> is <c>.</c>), given the path relative to it.
    /// </summary>
    public static TempDirectory BelowWorkingDirectory(string prefix) => new(prefix, Environment.CurrentDirectory);

    /// <summary><see cref="Path"/> relative to the working directory, as chDB's <c>icebergLocal</c> accepts it.</summary>
    public string RelativePath(params string[] below) =>
        System.IO.Path.GetRelativePath(Environment.CurrentDirectory, System.IO.Path.Combine([Path, .. below]));

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still be letting go of a file; the OS temp cleaner gets the rest.
        }
    }
}

using System.Runtime.InteropServices;

namespace K2.Storage.ObjectStores;

/// <summary>
/// The two POSIX calls the local store needs and .NET does not expose: fsync of a directory (which makes a rename or a
/// new entry durable; a FileStream cannot open a directory) and <c>link</c>, which creates a name only if it does not
/// exist, atomically (.NET's <c>File.Move(overwrite: false)</c> checks and then renames, which two writers can both
/// pass). On systems other than Linux the fsync is skipped and the create-only move falls back to File.Move.
/// </summary>
internal static partial class PosixFiles
{
    private const int ReadOnly = 0; // O_RDONLY
    private const int DirectoryOnly = 0x10000; // O_DIRECTORY on Linux x86-64 and arm64
    private const int CloseOnExec = 0x80000; // O_CLOEXEC
    private const int NoSuchEntry = 2; // ENOENT
    private const int FileExists = 17; // EEXIST

    /// <summary>
    /// Makes the entries of <paramref name="directory"/> durable; <see cref="DirectoryNotFoundException"/> if it no
    /// longer exists (a concurrent delete removed it once empty).
    /// </summary>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, ReadOnly | DirectoryOnly | CloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == NoSuchEntry
                ? new DirectoryNotFoundException($"Directory {directory} was removed before it could be fsynced.")
                : new IOException($"Could not open directory {directory} to fsync it (errno {errno}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Gives <paramref name="source"/>'s file the name <paramref name="destination"/> if that name is free and removes
    /// the source name; false (source kept) if the destination exists.
    /// </summary>
    public static bool TryMoveCreateOnly(string source, string destination)
    {
        if (!OperatingSystem.IsLinux())
        {
            try
            {
                File.Move(source, destination, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(destination))
            {
                return false;
            }
        }

        if (Link(source, destination) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == FileExists
                ? false
                : throw new IOException($"Could not link {source} to {destination} (errno {errno}).");
        }

        File.Delete(source);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}

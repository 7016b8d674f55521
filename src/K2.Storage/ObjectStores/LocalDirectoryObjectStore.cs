using System.Buffers;
using System.Runtime.CompilerServices;

namespace K2.Storage.ObjectStores;

/// <summary>
/// The warehouse in a local directory (embedded mode). Every write goes to a temporary file in the target's own
/// directory (named <c>.&lt;name&gt;.&lt;random&gt;.tmp</c>, which no key can be), is flushed to disk (fsync), and is
/// then renamed onto the key: replacing with <c>rename</c>, create-only with <c>link</c>, which fails if the name
/// exists, so two writers can never both create one key (see <see cref="PosixFiles"/>). After the
/// rename the directory is fsynced too (as is the parent of any directory the write created), so once a put returns
/// the object survives a power loss: the catalog commit that follows may reference it. A crash mid-write leaves at
/// most a temporary file, which listing ignores. Deleting can remove directories left empty, up to the root.
/// </summary>
public sealed class LocalDirectoryObjectStore : IObjectStore
{
    private const int CopyBufferSize = 1 << 20;
    private readonly bool _removeEmptyDirectories;

    /// <param name="root">The warehouse root; created if missing.</param>
    /// <param name="removeEmptyDirectories">Whether a delete also removes the directories it leaves empty.</param>
    public LocalDirectoryObjectStore(string root, bool removeEmptyDirectories = true)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        _removeEmptyDirectories = removeEmptyDirectories;
    }

    /// <summary>The absolute path of the warehouse root.</summary>
    public string Root { get; }

    public bool EnforcesCreateOnly => true;

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        WriteAsync(key, (file, ct) => file.WriteAsync(content, ct), overwrite: true, cancellationToken);

    public Task PutAsync(string key, Stream content, long length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return WriteAsync(key, (file, ct) => CopyExactlyAsync(key, content, length, file, ct), overwrite: true, cancellationToken);
    }

    public Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        WriteAsync(key, (file, ct) => file.WriteAsync(content, ct), overwrite: false, cancellationToken);

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            // FileShare.Delete: a reader must not stop maintenance from deleting or replacing the object.
            return Task.FromResult<Stream?>(new FileStream(
                path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(key));
        return Task.FromResult(file.Exists ? new ObjectInfo(key, file.Length, file.LastWriteTimeUtc) : null);
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectKey.ValidatePrefix(prefix);
        // Only the folders the prefix names in full are walked; the partial last segment filters names below them.
        var folder = prefix[..(prefix.LastIndexOf('/') + 1)];
        var start = Path.Combine(Root, folder);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var found = new List<ObjectInfo>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 };
        foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(Root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal) && !key.Split('/').Any(s => s.StartsWith('.')))
            {
                found.Add(new ObjectInfo(key, file.Length, file.LastWriteTimeUtc));
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var info in found)
        {
            yield return info;
        }

        await Task.CompletedTask;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        try
        {
            File.Delete(path); // no error when the file is absent
        }
        catch (DirectoryNotFoundException)
        {
            return Task.CompletedTask;
        }

        if (_removeEmptyDirectories)
        {
            RemoveEmptyParents(Path.GetDirectoryName(path)!);
        }

        return Task.CompletedTask;
    }

    public string LocationOf(string key) => PathOf(key);

    public string IcebergLocationOf(string key) => PathOf(key);

    public string? KeyOf(string icebergLocation)
    {
        var root = Root.EndsWith(Path.DirectorySeparatorChar) ? Root : Root + Path.DirectorySeparatorChar;
        return icebergLocation.StartsWith(root, StringComparison.Ordinal)
            ? icebergLocation[root.Length..].Replace(Path.DirectorySeparatorChar, '/')
            : null;
    }

    private string PathOf(string key)
    {
        ObjectKey.Validate(key);
        return Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    private async Task<bool> WriteAsync(
        string key, Func<FileStream, CancellationToken, ValueTask> write, bool overwrite, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        await using (var file = CreateTemporary(directory, temp))
        {
            try
            {
                await write(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            catch
            {
                await file.DisposeAsync();
                File.Delete(temp);
                throw;
            }
        }

        try
        {
            if (overwrite)
            {
                File.Move(temp, path, overwrite: true);
            }
            else if (!PosixFiles.TryMoveCreateOnly(temp, path))
            {
                File.Delete(temp);
                return false;
            }
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        try
        {
            PosixFiles.FlushDirectory(directory);
        }
        catch (DirectoryNotFoundException)
        {
            // A concurrent delete of this very key emptied and removed the folder: nothing is left to make durable.
        }

        return true;
    }

    /// <summary>
    /// Creates the temporary file, first creating missing directories (and making each new entry durable). A
    /// concurrent delete may remove a directory while it is still empty, at any of these steps, so that case is retried.
    /// </summary>
    private FileStream CreateTemporary(string directory, string temp)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                CreateDirectoryDurably(directory);
                return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
            }
            catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException && attempt < 100)
            {
                // ENOENT: the directory went away under us (.NET reports it as either type); create it again.
            }
        }
    }

    private void CreateDirectoryDurably(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        var parent = Path.GetDirectoryName(directory)!;
        if (!string.Equals(directory, Root, StringComparison.Ordinal))
        {
            CreateDirectoryDurably(parent);
        }

        Directory.CreateDirectory(directory);
        PosixFiles.FlushDirectory(parent);
    }

    private void RemoveEmptyParents(string directory)
    {
        while (directory.Length > Root.Length && directory.StartsWith(Root, StringComparison.Ordinal))
        {
            try
            {
                Directory.Delete(directory, recursive: false);
            }
            catch (IOException)
            {
                return; // not empty (or already gone): stop climbing
            }

            directory = Path.GetDirectoryName(directory)!;
        }
    }

    private static async ValueTask CopyExactlyAsync(string key, Stream source, long length, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(CopyBufferSize, Math.Max(length, 1)));
        try
        {
            var left = length;
            while (left > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
                if (read == 0)
                {
                    throw new InvalidDataException($"The stream for object '{key}' ended after {length - left} of its declared {length} bytes.");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                left -= read;
            }

            if (await source.ReadAsync(buffer.AsMemory(0, 1), cancellationToken) != 0)
            {
                throw new InvalidDataException($"The stream for object '{key}' is longer than its declared {length} bytes.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

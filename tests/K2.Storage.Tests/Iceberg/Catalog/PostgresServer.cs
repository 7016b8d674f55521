using System.Diagnostics;
using K2.Testing;

namespace K2.Storage.Tests.Iceberg.Catalog;

/// <summary>
/// A real PostgreSQL for the catalog tests: a fresh cluster in a temp directory (initdb as <c>postgres</c> when the
/// tests run as root, since the server refuses to run as root), on 127.0.0.1 and a free port, its socket in the temp
/// directory, fsync off; stopped with <c>pg_ctl stop</c> on dispose.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly TempDirectory _directory = new("k2-pg");
    private readonly string _binaries;
    private readonly string _dataDirectory;

    public PostgresServer()
    {
        _binaries = FindBinaries();
        _dataDirectory = Path.Combine(_directory.Path, "data");
        Port = FreePort.Next();
        if (Environment.UserName == "root")
        {
            Run("chown", ["postgres", _directory.Path]);
        }

        RunAsPostgres("initdb", ["-D", _dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        RunAsPostgres("pg_ctl", ["-D", _dataDirectory, "-l", Path.Combine(_directory.Path, "server.log"), "-w", "-o",
            $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_directory.Path} -c fsync=off", "start"]);
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=true";

    public void Dispose()
    {
        try
        {
            RunAsPostgres("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            _directory.Dispose();
        }
    }

    /// <summary>The newest PostgreSQL installed the Debian way (<c>/usr/lib/postgresql/&lt;major&gt;/bin</c>).</summary>
    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var newest = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0).FirstOrDefault()
            : null;
        return newest ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); run scripts/ensure-prerequisites.sh test.");
    }

    private void RunAsPostgres(string tool, string[] arguments)
    {
        var executable = Path.Combine(_binaries, tool);
        if (Environment.UserName == "root")
        {
            Run("runuser", ["-u", "postgres", "--", executable, .. arguments]);
        }
        else
        {
            Run(executable, arguments);
        }
    }

    private static void Run(string executable, string[] arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} did not finish within 60 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{executable} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output.Result}{error.Result}");
        }
    }
}

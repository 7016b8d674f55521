using System.Diagnostics;

namespace K2.Testing;

/// <summary>
/// A real PostgreSQL 15 server for one test class: a fresh cluster made by <c>initdb</c> in a temp directory, started
/// by <c>pg_ctl</c> on a free loopback port (no fsync: nothing here needs to survive a power cut) and stopped by
/// <c>pg_ctl</c>, or by its postmaster's PID if that fails, when disposed. A test can take the server down as an
/// outage does (<see cref="StopAsync"/>) and bring it back on the same port and data (<see cref="StartAgainAsync"/>).
/// Under root the server runs as the <c>postgres</c> user, since PostgreSQL refuses to run as root. Tests isolate
/// themselves by database.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string Superuser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new("k2-postgres");
    private int _databases;
    private bool _started;

    public int Port { get; private set; }

    private string DataDirectory => Path.Combine(_directory.Path, "data");

    /// <summary>An Npgsql connection string to <paramref name="database"/> on this server, as the superuser.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={Superuser};Database={database};Pooling=true;Timeout=10";

    private PostgresServer()
    {
    }

    /// <summary>Creates a cluster and starts its server; dispose to stop it and delete its files.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var server = new PostgresServer();
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL 15 is not installed ({BinDirectory}/initdb is missing); run scripts/ensure-prerequisites.sh test.");
        }

        if (Environment.UserName == "root")
        {
            // The cluster's files must belong to the user the server runs as.
            await RunAsync("chown", ["-R", Superuser, _directory.Path], asServerUser: false, CancellationToken.None);
        }

        await RunAsync(Path.Combine(BinDirectory, "initdb"),
            ["-D", DataDirectory, "-U", Superuser, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"],
            asServerUser: true, CancellationToken.None);
        Port = FreePort.Next();
        await StartServerAsync(CancellationToken.None);
    }

    /// <summary>
    /// Takes the server down as an outage does, and returns once it is down: <see cref="PostgresStopMode.Immediate"/>
    /// is a crash (connections cut, no checkpoint: the next start recovers from the write-ahead log),
    /// <see cref="PostgresStopMode.Fast"/> a clean shutdown that disconnects every client. Either way connections are
    /// refused until <see cref="StartAgainAsync"/>.
    /// </summary>
    public async Task StopAsync(PostgresStopMode mode, CancellationToken cancellationToken)
    {
        if (!_started)
        {
            throw new InvalidOperationException("The PostgreSQL server is not running.");
        }

        await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", mode == PostgresStopMode.Fast ? "fast" : "immediate", "-w", "stop"],
            asServerUser: true, cancellationToken);
        _started = false;
    }

    /// <summary>Starts a server taken down by <see cref="StopAsync"/> again, on the same port and data; returns once it accepts connections.</summary>
    public Task StartAgainAsync(CancellationToken cancellationToken) =>
        _started ? throw new InvalidOperationException("The PostgreSQL server is already running.") : StartServerAsync(cancellationToken);

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var serverOptions = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_directory.Path} -c fsync=off";
        await RunAsync(Path.Combine(BinDirectory, "pg_ctl"),
            ["-D", DataDirectory, "-l", Path.Combine(_directory.Path, "server.log"), "-o", serverOptions, "-w", "-t", "30", "start"],
            asServerUser: true, cancellationToken);
        _started = true;
    }

    /// <summary>A new, empty database on this server; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..24];
        await RunAsync(Path.Combine(BinDirectory, "createdb"),
            ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", Superuser, name],
            asServerUser: false, cancellationToken);
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            try
            {
                await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"],
                    asServerUser: true, CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                KillPostmaster();
            }
        }

        _directory.Dispose();
    }

    /// <summary>The last resort when <c>pg_ctl stop</c> fails: the postmaster's PID is the first line of postmaster.pid.</summary>
    private void KillPostmaster()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid))
        {
            try
            {
                using var postmaster = Process.GetProcessById(pid);
                postmaster.Kill(entireProcessTree: true);
                postmaster.WaitForExit(CommandTimeout);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, bool asServerUser, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asServerUser && Environment.UserName == "root")
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", Superuser, "--", fileName])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} did not finish within {CommandTimeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}

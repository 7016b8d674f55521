using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace K2.Testing;

/// <summary>
/// The tests' ClickHouse (<see cref="ChdbHttpEndpoint"/> over chDB) as a child process, <c>k2-clickhouse-endpoint</c>,
/// so a test can do to "ClickHouse" what happens to a server: kill it (SIGKILL), hang it (SIGSTOP, SIGCONT), stop it
/// (SIGTERM) and restart it on the same port and data directory, where it finds the rows written before.
/// </summary>
public sealed partial class ClickHouseEndpointProcess : IAsyncDisposable
{
    // Linux signal numbers (SIGSTOP and SIGCONT differ on other Unixes).
    private const int Sigkill = 9;
    private const int Sigterm = 15;
    private const int Sigcont = 18;
    private const int Sigstop = 19;

    private const string ReadyPrefix = "listening on ";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly string _dataDirectory;
    private readonly string _workingDirectory;
    private readonly int _port;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private ClickHouseEndpointProcess(string dataDirectory, string workingDirectory, int port, IReadOnlyDictionary<string, string> environment)
    {
        _dataDirectory = dataDirectory;
        _workingDirectory = workingDirectory;
        _port = port;
        _environment = environment;
        Url = new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>Where to point the client; the same across restarts.</summary>
    public Uri Url { get; }

    /// <summary>The PID of the current process (a restart gives a new one).</summary>
    public int Id => Current.Id;

    /// <summary>Everything every run of the process printed so far, for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Starts the endpoint on a free loopback port with chDB's data in <paramref name="dataDirectory"/>, and returns once it
    /// answers. It runs in <paramref name="workingDirectory"/>: chDB's <c>icebergLocal</c> reads files only below it.
    /// <paramref name="environment"/> adds variables to the process's environment (every restart's too).
    /// </summary>
    public static async Task<ClickHouseEndpointProcess> StartAsync(
        string dataDirectory, string workingDirectory, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var endpoint = new ClickHouseEndpointProcess(dataDirectory, workingDirectory, FreePort.Next(), environment ?? new Dictionary<string, string>());
        try
        {
            await endpoint.LaunchAsync(cancellationToken);
            return endpoint;
        }
        catch
        {
            await endpoint.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the process with SIGKILL, as a crash or the OOM killer would, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!Current.HasExited)
        {
            Signal(Sigkill);
        }

        await Current.WaitForExitAsync();
    }

    /// <summary>Freezes the process (SIGSTOP): connections are still accepted by the kernel, but nothing answers.</summary>
    public void Hang() => Signal(Sigstop);

    /// <summary>Lets a <see cref="Hang"/>ed process go on (SIGCONT).</summary>
    public void Continue() => Signal(Sigcont);

    /// <summary>
    /// Starts the endpoint again on the same port and data directory. A process still there (hung, or not yet
    /// stopped) is killed first.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await KillAsync();
        Current.Dispose();
        _process = null;
        await LaunchAsync(cancellationToken);
    }

    /// <summary>
    /// Sends SIGTERM, on which the endpoint stops listening and closes chDB, and returns the exit code; a process that
    /// has not exited within <paramref name="timeout"/> is killed and this throws.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!Current.HasExited)
        {
            Signal(Sigterm);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await Current.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"k2-clickhouse-endpoint did not stop within {timeout} of SIGTERM; it was killed.{Environment.NewLine}{Output}");
        }

        return Current.ExitCode;
    }

    /// <summary>Kills the process if it still runs (a hung one too: SIGKILL ends a stopped process).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _process = null;
    }

    /// <summary>The built <c>k2-clickhouse-endpoint</c> of this repository, in the configuration this binary was built in.</summary>
    public static string AssemblyPath
    {
        get
        {
            // The test binary lives in bin/<Configuration>/net10.0/.
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            var path = Path.Combine(RepositoryPaths.Root, "tests", "K2.ClickHouseEndpoint", "bin", configuration, "net10.0", "k2-clickhouse-endpoint.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"Build K2.ClickHouseEndpoint ({configuration}) first: {path} is missing.");
        }
    }

    private Process Current => _process ?? throw new ObjectDisposedException(nameof(ClickHouseEndpointProcess));

    /// <summary>Starts a process and waits for its ready line; one that exits or stays silent fails with its output.</summary>
    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _workingDirectory,
        };
        foreach (var argument in new[] { AssemblyPath, "--data", _dataDirectory, "--port", _port.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            Collect(e.Data);
            if (e.Data == ReadyPrefix + Url)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Start();
        _process = process;
        _output.Enqueue($"[k2-clickhouse-endpoint started as process {process.Id}]"); // tells the runs apart in Output
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ReadyTimeout);
        try
        {
            await await Task.WhenAny(ready.Task, process.WaitForExitAsync(deadline.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await KillAsync();
            throw new TimeoutException($"k2-clickhouse-endpoint was not ready within {ReadyTimeout}.{Environment.NewLine}{Output}");
        }

        if (!ready.Task.IsCompleted)
        {
            throw new InvalidOperationException($"k2-clickhouse-endpoint exited with {process.ExitCode} before it was ready:{Environment.NewLine}{Output}");
        }
    }

    private void Signal(int signal)
    {
        if (Current.HasExited)
        {
            throw new InvalidOperationException($"k2-clickhouse-endpoint has exited; it cannot take signal {signal}.{Environment.NewLine}{Output}");
        }

        if (Kill(Current.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {Current.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

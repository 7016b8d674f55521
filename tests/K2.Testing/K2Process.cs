using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using K2.Core;

namespace K2.Testing;

/// <summary>
/// The real <c>k2</c> binary as a child process: its own data directory and its own embedded ClickHouse, an API on a
/// free loopback port, stopped with SIGTERM like an operator would (and killed by PID if it does not stop). Or the
/// standalone <c>k2-api</c> (<see cref="StartApi"/>).
/// </summary>
public sealed partial class K2Process : IAsyncDisposable
{
    private const int Sigterm = 15;
    private const int Sigkill = 9;
    private const int Sigcont = 18;
    private const int Sigstop = 19;
    private static readonly string[] Venues = ["Binance", "Kraken", "Coinbase"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private K2Process(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process printed so far, for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Starts <c>k2 run</c> with <paramref name="arguments"/> appended and <paramref name="environment"/> set. An exchange
    /// the environment does not point anywhere is disabled (unless <c>--simulate</c> serves it): a test never talks to a
    /// real exchange.
    /// </summary>
    public static K2Process Start(
        string dataDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? urls = null)
    {
        var baseAddress = new Uri(urls ?? $"http://127.0.0.1:{FreePort.Next()}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        foreach (var argument in new[] { SiloAssemblyPath, "run", "--data", dataDirectory, "--urls", baseAddress.ToString().TrimEnd('/') }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        environment ??= new Dictionary<string, string>();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        if (!arguments.Contains("--simulate"))
        {
            foreach (var venue in Venues.Where(v => !environment.Keys.Any(k => k.StartsWith($"K2__Exchanges__{v}__", StringComparison.Ordinal))))
            {
                start.Environment[$"K2__Exchanges__{venue}__Enabled"] = "false";
            }
        }

        return Launch(start, baseAddress);
    }

    /// <summary>
    /// Starts the standalone API (<c>k2-api</c>) in <paramref name="workingDirectory"/> with <paramref name="environment"/>
    /// set, listening on a free loopback port.
    /// </summary>
    public static K2Process StartApi(string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in new[] { ApiAssemblyPath, "--urls", baseAddress.ToString().TrimEnd('/') })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Launch(start, baseAddress);
    }

    private static K2Process Launch(ProcessStartInfo start, Uri baseAddress)
    {
        var process = new Process { StartInfo = start };
        var k2 = new K2Process(process, baseAddress);
        process.OutputDataReceived += (_, e) => k2.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => k2.Collect(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return k2;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Eventually.TrueAsync(async attempt =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Path.GetFileNameWithoutExtension(_process.StartInfo.ArgumentList[0])} exited with {_process.ExitCode} before it was ready:{Environment.NewLine}{Output}");
            }

            try
            {
                using var response = await Http.GetAsync("/health/ready", attempt);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout, $"k2 did not become ready.{Environment.NewLine}{Output}", cancellationToken);
    }

    public async Task<JsonElement> GetJsonAsync(string path, CancellationToken cancellationToken) =>
        await Http.GetFromJsonAsync<JsonElement>(path, cancellationToken);

    /// <summary>Configuration keys (<c>K2:Exchanges:…</c>) as the environment variables that set them (<c>K2__Exchanges__…</c>).</summary>
    public static Dictionary<string, string> AsEnvironment(IReadOnlyDictionary<string, string> settings) =>
        settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value, StringComparer.Ordinal);

    /// <summary>One exchange's entry of <c>/v1/status</c>.</summary>
    public async Task<JsonElement> ExchangeStatusAsync(Exchange exchange, CancellationToken cancellationToken)
    {
        var status = await GetJsonAsync("/v1/status", cancellationToken);
        return status.GetProperty("exchanges").EnumerateArray().Single(e => e.GetProperty("exchange").GetString() == exchange.ToName());
    }

    public async Task<bool> IsSubscribedAsync(Exchange exchange, int streams, CancellationToken cancellationToken) =>
        (await ExchangeStatusAsync(exchange, cancellationToken)).GetProperty("subscribed_streams").GetInt32() == streams;

    /// <summary>One symbol's trades as <c>/v1/trades</c> serves them: a single page of at most 10,000.</summary>
    public async Task<List<JsonElement>> TradesAsync(Exchange exchange, string symbol, CancellationToken cancellationToken)
    {
        var body = await GetJsonAsync($"/v1/trades?exchange={exchange.ToName()}&symbol={symbol}&limit={MaxTradesPage}", cancellationToken);
        return [.. body.GetProperty("trades").EnumerateArray()];
    }

    /// <summary>The API's largest page of trades.</summary>
    public const int MaxTradesPage = 10_000;

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM and returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_process.HasExited && Kill(_process.Id, Sigterm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the process with SIGKILL, as a crash or an OOM kill would, and waits until it is gone.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        if (!_process.HasExited && Kill(_process.Id, Sigkill) != 0)
        {
            throw new InvalidOperationException($"kill -KILL {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        await _process.WaitForExitAsync(cancellationToken);
    }

    /// <summary>Freezes the process with SIGSTOP (a hung silo: its sockets stay open, nothing answers) until <see cref="Continue"/>.</summary>
    public void Hang() => Signal(Sigstop, "STOP");

    public void Continue() => Signal(Sigcont, "CONT");

    private void Signal(int signal, string name)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill -{name} {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary>
    /// Runs a one-shot <c>k2</c> command (e.g. <c>offload</c>) to its end, with <paramref name="environment"/> set;
    /// returns its exit code and output.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(
        IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { SiloAssemblyPath }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>The built <c>k2</c> of this repository, in the configuration this binary was built in.</summary>
    public static string SiloAssemblyPath => BuiltAssembly("K2.Silo", "k2.dll");

    /// <summary>The built <c>k2-api</c> of this repository, in the configuration this binary was built in.</summary>
    public static string ApiAssemblyPath => BuiltAssembly("K2.Api", "k2-api.dll");

    private static string BuiltAssembly(string project, string file)
    {
        // The test or benchmark binary lives in bin/<Configuration>/net10.0/.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var path = Path.Combine(RepositoryPaths.Root, "src", project, "bin", configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} ({configuration}) first: {path} is missing.");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace K2.Testing;

/// <summary>
/// A real Prometheus server for tests (Debian's <c>prometheus</c> package, which the test prerequisites install) on
/// 127.0.0.1 and a free port, scraping the given loopback targets every second into a temp directory, with the given
/// rule files. Dispose stops it by PID.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new("k2-prometheus");
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Process _process;

    private PrometheusServer(IReadOnlyList<Uri> targets, IReadOnlyList<string> ruleFiles)
    {
        var config = Path.Combine(_directory.Path, "prometheus.yml");
        var targetList = string.Join(", ", targets.Select(t => $"'{t.Authority}'"));
        var rules = ruleFiles.Count == 0 ? "" : "rule_files:\n" + string.Join("", ruleFiles.Select(f => $"  - '{f}'\n"));
        File.WriteAllText(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            {rules}
            scrape_configs:
              - job_name: k2-silo
                metrics_path: /metrics
                static_configs:
                  - targets: [{targetList}]

            """);
        var port = FreePort.Next();
        Address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("prometheus") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            $"--config.file={config}", $"--web.listen-address=127.0.0.1:{port}", $"--storage.tsdb.path={Path.Combine(_directory.Path, "data")}",
            "--log.level=warn",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The server, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Address { get; }

    /// <summary>What Prometheus logged, for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    private HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Starts a server scraping <paramref name="targets"/> (job <c>k2-silo</c>) and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyList<Uri> targets, IReadOnlyList<string> ruleFiles, CancellationToken cancellationToken)
    {
        var server = new PrometheusServer(targets, ruleFiles);
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                if (server._process.HasExited)
                {
                    throw new InvalidOperationException($"prometheus exited with {server._process.ExitCode} at start:{Environment.NewLine}{server.Output}");
                }

                try
                {
                    using var ready = await server.Http.GetAsync(new Uri(server.Address, "/-/ready"), cancellationToken);
                    return ready.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, StartTimeout, $"prometheus was not ready on {server.Address}", cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The health of every active target (<c>/api/v1/targets</c>): "up", "down" or "unknown", with its last error.</summary>
    public async Task<IReadOnlyList<(string Health, string LastError)>> TargetsAsync(CancellationToken cancellationToken)
    {
        using var document = await GetAsync("/api/v1/targets?state=active", cancellationToken);
        return [.. document.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Select(t => (t.GetProperty("health").GetString()!, t.GetProperty("lastError").GetString() ?? ""))];
    }

    /// <summary>
    /// Evaluates <paramref name="expression"/> at the server's now (<c>/api/v1/query</c>): the result's type and its
    /// series count, or the error Prometheus gave.
    /// </summary>
    public async Task<PrometheusQueryResult> QueryAsync(string expression, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(new Uri(Address, $"/api/v1/query?query={Uri.EscapeDataString(expression)}"), cancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = document.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            return new PrometheusQueryResult(null, 0, $"{root.GetProperty("errorType").GetString()}: {root.GetProperty("error").GetString()}");
        }

        var data = root.GetProperty("data");
        var type = data.GetProperty("resultType").GetString();
        var count = data.GetProperty("result").ValueKind == JsonValueKind.Array ? data.GetProperty("result").GetArrayLength() : 1;
        return new PrometheusQueryResult(type, count, null);
    }

    /// <summary>The names of every metric the server holds a series of (<c>/api/v1/label/__name__/values</c>).</summary>
    public async Task<IReadOnlySet<string>> MetricNamesAsync(CancellationToken cancellationToken)
    {
        using var document = await GetAsync("/api/v1/label/__name__/values", cancellationToken);
        return document.RootElement.GetProperty("data").EnumerateArray().Select(n => n.GetString()!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The alerting rules the server loaded, by name, with their state (<c>/api/v1/rules</c>).</summary>
    public async Task<IReadOnlyList<(string Name, string State, string Health, string LastError)>> AlertingRulesAsync(CancellationToken cancellationToken)
    {
        using var document = await GetAsync("/api/v1/rules?type=alert", cancellationToken);
        return [.. document.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("state").GetString()!, r.GetProperty("health").GetString()!,
                r.TryGetProperty("lastError", out var error) ? error.GetString() ?? "" : ""))];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Http.Dispose();
        _directory.Dispose();
    }

    private async Task<JsonDocument> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(new Uri(Address, path), cancellationToken);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}

/// <summary>One instant query's answer: the result type and how many series it holds, or Prometheus' error.</summary>
public sealed record PrometheusQueryResult(string? ResultType, int Series, string? Error);

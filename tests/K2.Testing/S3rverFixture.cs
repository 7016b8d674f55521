using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using K2.Storage.ObjectStores;

namespace K2.Testing;

/// <summary>
/// A real S3-compatible server for tests: npm's s3rver (installed pinned into <c>.cache/s3rver</c> by
/// <c>scripts/ensure-s3rver.sh</c>) on 127.0.0.1 and a free port, storing into a temp directory, with one bucket
/// created at start. It runs in a process group of its own (<c>setsid</c>), which dispose kills with SIGKILL, so nothing
/// outlives the test process. What s3rver does not do (see docs/ARCHITECTURE.md): verify SigV4 signatures (only the
/// access key must be <see cref="AccessKey"/>), honour conditional writes, or decode aws-chunked bodies.
/// </summary>
public sealed class S3rverFixture : IDisposable
{
    public const string Bucket = "k2-warehouse";

    /// <summary>s3rver's built-in account; the secret is not checked for SigV4.</summary>
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    private const int Sigkill = 9;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new("k2-s3rver");
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Process _process;

    public S3rverFixture()
    {
        var script = Path.Combine(RepositoryPaths.Root, ".cache", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new FileNotFoundException($"s3rver is not installed ({script} is missing); run scripts/ensure-prerequisites.sh test.");
        }

        var port = FreePort.Next();
        ServiceUrl = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "node", "--openssl-legacy-provider", script, "--silent", "-d", _directory.Path, "-a", "127.0.0.1", "-p", $"{port}",
            "--configure-bucket", Bucket,
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
        try
        {
            WaitUntilAnswering();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The endpoint, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri ServiceUrl { get; }

    /// <summary>Settings for a store on this server's bucket, rooted at <paramref name="prefix"/>.</summary>
    public S3WarehouseOptions Options(string prefix = "") => new()
    {
        ServiceUrl = ServiceUrl,
        Bucket = Bucket,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        Prefix = prefix,
    };

    /// <summary>Points K2 (as environment variables, <c>K2__Warehouse__…</c>) at this server's bucket as its warehouse.</summary>
    public void AddK2Environment(IDictionary<string, string> environment)
    {
        environment["K2__Warehouse__Kind"] = "S3";
        environment["K2__Warehouse__S3__ServiceUrl"] = ServiceUrl.ToString();
        environment["K2__Warehouse__S3__Bucket"] = Bucket;
        environment["K2__Warehouse__S3__AccessKey"] = AccessKey;
        environment["K2__Warehouse__S3__SecretKey"] = SecretKey;
        environment["K2__Warehouse__S3__CreateOnlyPuts"] = "false"; // s3rver ignores If-None-Match
    }

    /// <summary>
    /// Sets the Last-Modified time s3rver reports for the object at <paramref name="bucketKey"/> (its key in the
    /// bucket, store prefix included): s3rver takes it from the mtime of the file it stores the object in, so a test
    /// can age an object as it ages a local file.
    /// </summary>
    public void SetLastModified(string bucketKey, DateTimeOffset time) =>
        File.SetLastWriteTimeUtc(Path.Combine(_directory.Path, Bucket, $"{bucketKey}._S3rver_object"), time.UtcDateTime);

    /// <summary>What s3rver printed, for failure messages.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            // setsid made node the leader of its own group, so -pid is that group.
            _ = Kill(-_process.Id, Sigkill);
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        _directory.Dispose();
    }

    /// <summary>Polls until the bucket answers a listing, so the server is up and the bucket exists.</summary>
    private void WaitUntilAnswering()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with {_process.ExitCode} at start:{Environment.NewLine}{Output}");
            }

            try
            {
                using var response = http.GetAsync(new Uri(ServiceUrl, $"/{Bucket}?list-type=2&max-keys=1")).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"s3rver did not answer on {ServiceUrl} within {StartTimeout}:{Environment.NewLine}{Output}");
            }

            Thread.Sleep(100);
        }
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}

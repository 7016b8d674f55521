using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace K2.Benchmarks.Api;

/// <summary>
/// One run of <c>wrk</c> (closed loop: each connection sends its next request when the previous answer is in) against
/// one URL, with its latency distribution, and what it printed, so a run with errors is visible.
/// </summary>
internal sealed partial record WrkRun(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Non2xx, long SocketErrors, string Output)
{
    /// <summary>
    /// <c>wrk -t THREADS -c CONNECTIONS -d SECONDS --timeout 10s --latency URL</c>; one thread per connection up to the
    /// core count, so wrk itself takes no more than the machine has.
    /// </summary>
    public static async Task<WrkRun> RunAsync(Uri url, int connections, TimeSpan duration)
    {
        var threads = Math.Min(connections, Environment.ProcessorCount);
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
                 {
                     "-t", $"{threads}", "-c", $"{connections}", "-d", $"{(int)duration.TotalSeconds}s", "--timeout", "10s", "--latency", url.ToString(),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start (apt-get install -y wrk).");
        var error = wrk.StandardError.ReadToEndAsync();
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        if (wrk.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {wrk.ExitCode}: {output}{await error}");
        }

        return Parse(output);
    }

    /// <summary>The numbers of wrk 4's report: <c>Requests/sec</c>, the 50% and 99% lines of its latency distribution, errors.</summary>
    public static WrkRun Parse(string output)
    {
        double Latency(string percent)
        {
            var match = Regex.Match(output, $@"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            if (!match.Success)
            {
                throw new FormatException($"wrk printed no {percent}% latency:{Environment.NewLine}{output}");
            }

            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return match.Groups[2].Value switch { "us" => value / 1000, "ms" => value, _ => value * 1000 };
        }

        long Count(Regex pattern) => pattern.Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socketErrors = SocketErrorsPattern().Match(output) is { Success: true } errors
            ? errors.Groups.Cast<Group>().Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture))
            : 0;
        var rate = RatePattern().Match(output);
        return new WrkRun(
            rate.Success ? double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture) : throw new FormatException($"wrk printed no Requests/sec:{Environment.NewLine}{output}"),
            Latency("50"),
            Latency("99"),
            Count(RequestsPattern()),
            Count(Non2xxPattern()),
            socketErrors,
            output);
    }

    [GeneratedRegex(@"^Requests/sec:\s+([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"^\s*(\d+) requests in", RegexOptions.Multiline)]
    private static partial Regex RequestsPattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xxPattern();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsPattern();
}

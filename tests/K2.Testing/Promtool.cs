using System.Diagnostics;

namespace K2.Testing;

/// <summary>What promtool printed and how it exited.</summary>
public sealed record PromtoolResult(int ExitCode, string Output, string Errors);

/// <summary>
/// Prometheus' own checker, <c>promtool</c> from Debian's prometheus package (scripts/ensure-prerequisites.sh installs
/// it). A test that needs it fails when it is missing rather than skipping.
/// </summary>
public static class Promtool
{
    /// <summary><c>promtool check metrics</c> over a scrape in the text format: it lints every family.</summary>
    public static Task<PromtoolResult> CheckMetricsAsync(string scrape, CancellationToken cancellationToken) =>
        RunAsync(["check", "metrics"], scrape, cancellationToken);

    public static async Task<PromtoolResult> RunAsync(IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("promtool")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start.");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(cancellationToken);
            return new PromtoolResult(process.ExitCode, await output, await errors);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }
}

using System.Diagnostics;
using K2.Testing;

namespace K2.Silo.Tests.Commands;

/// <summary>
/// The <c>k2</c> command as a user runs it: a child process with its own environment, working directory and standard
/// input, so configuration layering and stdin are exercised as they are outside the test.
/// </summary>
internal static class K2Cli
{
    /// <summary>The k2 binary built beside the tests, with the appsettings.json it ships with.</summary>
    public static string Binary => Path.Combine(AppContext.BaseDirectory, "k2.dll");

    /// <summary>The repository's <c>./k2</c> wrapper, as the README runs it.</summary>
    public static string Wrapper => Path.Combine(RepositoryPaths.Root, "k2");

    public static Task<CliResult> RunAsync(
        IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, string? input = null) =>
        StartAsync("dotnet", [Binary, .. arguments], workingDirectory, environment, input);

    public static Task<CliResult> RunWrapperAsync(IEnumerable<string> arguments, string? input) =>
        StartAsync("bash", [Wrapper, .. arguments], RepositoryPaths.Root, null, input);

    private static async Task<CliResult> StartAsync(
        string program, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment, string? input)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only the test's own settings: a K2__ variable of the machine running the tests must not change what it sees.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("K2__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardInput.WriteAsync(input ?? "");
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return new CliResult(process.ExitCode, await output, await error);
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

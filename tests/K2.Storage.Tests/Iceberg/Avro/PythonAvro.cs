using System.Diagnostics;
using System.Text.Json;

namespace K2.Storage.Tests.Iceberg.Avro;

/// <summary>
/// Apache Avro for Python (Debian's python3-avro, installed by scripts/ensure-prerequisites.sh test) as an independent
/// reader and writer of container files, through avro_dump.py.
/// </summary>
internal static class PythonAvro
{
    /// <summary>Debian installs python3-avro for the system interpreter, which a user-level Python on PATH may shadow.</summary>
    private const string Python = "/usr/bin/python3";

    private static string Script => Path.Combine(AppContext.BaseDirectory, "Iceberg", "Avro", "avro_dump.py");

    /// <summary>The file as Avro for Python reads it: <c>codec</c>, <c>meta</c> (strings), <c>schema</c> (as it parsed it), <c>records</c>.</summary>
    public static JsonElement Read(string path) => JsonDocument.Parse(Run(Script, path)).RootElement.Clone();

    /// <summary>Writes a container file with Avro for Python; byte values are given as hex strings.</summary>
    public static void Write(string path, string codec, string schemaJson, string recordsJson) =>
        Run(Script, "--write", path, codec, schemaJson, recordsJson);

    private static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"avro_dump.py exited with {process.ExitCode}: {stderr.Result}");
        }

        return stdout;
    }
}

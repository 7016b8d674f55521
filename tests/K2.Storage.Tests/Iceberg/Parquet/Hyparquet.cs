using System.Diagnostics;
using System.Text.Json;
using K2.Testing;

namespace K2.Storage.Tests.Iceberg.Parquet;

/// <summary>
/// Runs hyparquet, an independent Parquet reader installed by <c>scripts/ensure-prerequisites.sh test</c> into
/// <c>.cache/hyparquet</c>, on a file and returns what it reads from the footer.
/// </summary>
internal static class Hyparquet
{
    public sealed record Element(string Name, int? FieldId, string? RepetitionType, int NumChildren);

    public sealed record Metadata(long NumRows, int RowGroups, IReadOnlyList<Element> Schema);

    private static string Entry => Path.Combine(RepositoryPaths.Root, ".cache", "hyparquet", "node_modules", "hyparquet", "src", "index.js");

    public static async Task<Metadata> ReadMetadataAsync(string parquetFile, CancellationToken cancellationToken)
    {
        if (!File.Exists(Entry))
        {
            throw new InvalidOperationException($"hyparquet is not installed at {Entry}; run scripts/ensure-prerequisites.sh test.");
        }

        var script = Path.Combine(AppContext.BaseDirectory, "Iceberg", "Parquet", "print-parquet-schema.mjs");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(Entry);
        start.ArgumentList.Add(parquetFile);
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        try
        {
            var output = node.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = node.StandardError.ReadToEndAsync(cancellationToken);
            await node.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            if (node.ExitCode != 0)
            {
                throw new InvalidOperationException($"hyparquet failed on {parquetFile} (exit {node.ExitCode}): {await error}");
            }

            using var json = JsonDocument.Parse(await output);
            var root = json.RootElement;
            return new Metadata(
                root.GetProperty("num_rows").GetInt64(),
                root.GetProperty("row_groups").GetInt32(),
                [.. root.GetProperty("schema").EnumerateArray().Select(e => new Element(
                    e.GetProperty("name").GetString()!,
                    e.GetProperty("field_id").ValueKind == JsonValueKind.Null ? null : e.GetProperty("field_id").GetInt32(),
                    e.GetProperty("repetition_type").GetString(),
                    e.GetProperty("num_children").GetInt32()))]);
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill();
            }
        }
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using K2.Testing;

namespace K2.Silo.Tests.Hosting;

/// <summary>
/// deploy/k8s rendered by <c>kubectl kustomize</c>, as <c>kubectl apply -k</c> would send it: the objects in their
/// order, as JSON. A missing kubectl fails the test (scripts/ensure-prerequisites.sh says where it comes from).
/// </summary>
internal static class KustomizeBuild
{
    public static readonly string Directory = Path.Combine(RepositoryPaths.Root, "deploy", "k8s");

    private static readonly Lazy<IReadOnlyList<JsonObject>> Rendered = new(() => YamlJson.LoadAll(Run(Directory)));

    /// <summary>The objects of deploy/k8s; each call gets its own copies to change.</summary>
    public static IReadOnlyList<JsonObject> Objects() => [.. Rendered.Value.Select(o => (JsonObject)o.DeepClone())];

    /// <summary>The one object of <paramref name="kind"/> whose name starts with <paramref name="name"/> (generated names end in a hash).</summary>
    public static JsonObject Single(IReadOnlyList<JsonObject> objects, string kind, string name) =>
        objects.Single(o => (string?)o["kind"] == kind && ((string?)o["metadata"]?["name"] ?? "").StartsWith(name, StringComparison.Ordinal));

    /// <summary>The YAML <c>kubectl kustomize <paramref name="directory"/></c> prints; throws with its error output when it fails.</summary>
    public static string Run(string directory)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"kubectl kustomize {directory} did not finish in 60 s.");
        }

        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"kubectl kustomize {directory} failed ({process.ExitCode}): {errors.Result}");
    }
}

using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;
using K2.Testing;

namespace K2.Silo.Tests.Hosting;

/// <summary>
/// Checks Kubernetes objects offline against the Kubernetes API's schema, from two sources generated from its OpenAPI
/// definitions: kubernetes-models (npm; scripts/ensure-kubernetes-models.sh), whose JSON-schema validators check types,
/// formats and required fields but let unknown fields through, and the official .NET client's types (KubernetesClient),
/// read strictly as the API server's strict field validation reads them, which catch a misspelt field. Each problem
/// names the object and the path.
/// </summary>
internal static class KubernetesApiSchema
{
    private static readonly string ModelsDirectory = Path.Combine(RepositoryPaths.Root, ".cache", "kubernetes-models");
    private static readonly string ModelsScript = Path.Combine(RepositoryPaths.Root, "tests", "K2.Silo.Tests", "Hosting", "kubernetes-models-validate.mjs");

    private static readonly JsonSerializerOptions Strict = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly Dictionary<(string ApiVersion, string Kind), Type> Types = KnownTypes();

    /// <summary>What is wrong with <paramref name="manifests"/>; empty when both sources accept every one.</summary>
    public static IReadOnlyList<string> Problems(params JsonObject[] manifests) =>
        [.. manifests.SelectMany(StrictFieldProblems), .. SchemaProblems(manifests)];

    /// <summary>Fields the API's types do not have and values of the wrong type, by the .NET client's types.</summary>
    private static IEnumerable<string> StrictFieldProblems(JsonObject manifest)
    {
        var apiVersion = (string?)manifest["apiVersion"] ?? "";
        var kind = (string?)manifest["kind"] ?? "";
        var what = $"{kind} {(string?)manifest["metadata"]?["name"] ?? "(no name)"}";
        if (!Types.TryGetValue((apiVersion, kind), out var type))
        {
            return [$"{what}: apiVersion {apiVersion} kind {kind} is not a Kubernetes API type."];
        }

        try
        {
            _ = manifest.Deserialize(type, Strict);
            return [];
        }
        catch (JsonException e)
        {
            // The position is of the JSON text the object was serialized to, which no one reads: the path says where.
            var cut = e.Message.IndexOf(" | LineNumber", StringComparison.Ordinal);
            return [$"{what}: {(cut < 0 ? e.Message : e.Message[..cut])}"];
        }
    }

    /// <summary>Types, formats and required fields, by kubernetes-models' validators (one node process for all).</summary>
    private static string[] SchemaProblems(JsonObject[] manifests)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ModelsScript);
        start.ArgumentList.Add(ModelsDirectory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(new JsonArray([.. manifests.Select(m => m.DeepClone())]).ToJsonString());
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException("kubernetes-models validation did not finish in 60 s.");
        }

        return process.ExitCode == 0
            ? JsonSerializer.Deserialize<string[]>(output)!
            : throw new InvalidOperationException($"kubernetes-models validation failed ({process.ExitCode}; scripts/ensure-kubernetes-models.sh installs it): {errors.Result}");
    }

    private static Dictionary<(string, string), Type> KnownTypes()
    {
        var types = new Dictionary<(string, string), Type>();
        foreach (var type in typeof(V1Pod).Assembly.GetExportedTypes())
        {
            if (type.GetCustomAttribute<KubernetesEntityAttribute>() is { Kind.Length: > 0 } entity)
            {
                var apiVersion = string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
                types.TryAdd((apiVersion, entity.Kind), type);
            }
        }

        return types;
    }
}

using System.Text.Json.Nodes;

namespace K2.Silo.Tests.Hosting;

/// <summary>
/// What one container of a rendered workload gets in its pod, resolved as the kubelet resolves it: literal values,
/// the downward API (the pod's name, namespace, IP and labels), ConfigMap keys and files mounted from ConfigMaps, and
/// Secret keys, which no manifest holds, replaced by the placeholders the test gives.
/// </summary>
internal sealed record KubernetesPod(IReadOnlyDictionary<string, string?> Environment, IReadOnlyDictionary<string, string> Files, IReadOnlyList<string> Args)
{
    /// <summary>The address the downward API's status.podIP gives this pod.</summary>
    public const string Ip = "10.244.1.17";

    /// <summary>The pod of <paramref name="workload"/> (a Deployment) for its container <paramref name="container"/>.</summary>
    public static KubernetesPod Of(
        IReadOnlyList<JsonObject> objects, JsonObject workload, string container, IReadOnlyDictionary<(string Secret, string Key), string> secrets)
    {
        var template = workload["spec"]!["template"]!;
        var labels = template["metadata"]!["labels"]!.AsObject();
        var name = $"{(string)workload["metadata"]!["name"]!}-5d8c7b9f4-x2x9q";
        var podNamespace = (string)workload["metadata"]!["namespace"]!;
        var spec = template["spec"]!;
        var containerSpec = spec["containers"]!.AsArray().Single(c => (string?)c!["name"] == container)!;

        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var variable in containerSpec["env"]?.AsArray() ?? [])
        {
            var key = (string)variable!["name"]!;
            environment[key] = variable["valueFrom"] is { } from ? ValueFrom(from, key) : (string?)variable["value"] ?? "";
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mount in containerSpec["volumeMounts"]?.AsArray() ?? [])
        {
            var volume = spec["volumes"]!.AsArray().Single(v => (string?)v!["name"] == (string?)mount!["name"])!;
            if (volume["configMap"] is not { } configMap)
            {
                continue; // an emptyDir: scratch space, no configuration in it
            }

            var data = ConfigMapData((string)configMap["name"]!);
            var path = (string)mount!["mountPath"]!;
            if ((string?)mount["subPath"] is { } subPath)
            {
                files[path] = data[subPath];
            }
            else
            {
                foreach (var (file, text) in data)
                {
                    files[$"{path}/{file}"] = text;
                }
            }
        }

        return new KubernetesPod(environment, files, [.. (containerSpec["args"]?.AsArray() ?? []).Select(a => (string)a!)]);

        string ValueFrom(JsonNode from, string variable)
        {
            if (from["fieldRef"] is { } field)
            {
                var path = (string)field["fieldPath"]!;
                return path switch
                {
                    "metadata.name" => name,
                    "metadata.namespace" => podNamespace,
                    "status.podIP" => Ip,
                    _ when path.StartsWith("metadata.labels['", StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal) =>
                        (string?)labels[path["metadata.labels['".Length..^2]] ?? throw new InvalidDataException($"{variable}: the pod has no label for {path}."),
                    _ => throw new InvalidDataException($"{variable}: field path {path} is not one this test resolves."),
                };
            }

            if (from["secretKeyRef"] is { } secret)
            {
                var reference = ((string)secret["name"]!, (string)secret["key"]!);
                return secrets.TryGetValue(reference, out var placeholder)
                    ? placeholder
                    : throw new InvalidDataException($"{variable}: no placeholder for Secret {reference.Item1} key {reference.Item2}.");
            }

            if (from["configMapKeyRef"] is { } configMapKey)
            {
                return ConfigMapData((string)configMapKey["name"]!)[(string)configMapKey["key"]!];
            }

            throw new InvalidDataException($"{variable}: valueFrom {from.ToJsonString()} is not one this test resolves.");
        }

        Dictionary<string, string> ConfigMapData(string configMapName)
        {
            var configMap = objects.Single(o => (string?)o["kind"] == "ConfigMap" && (string?)o["metadata"]!["name"] == configMapName);
            return configMap["data"]!.AsObject().ToDictionary(e => e.Key, e => (string)e.Value!, StringComparer.Ordinal);
        }
    }

    /// <summary>The value of the command-line option <paramref name="option"/> in <see cref="Args"/>.</summary>
    public string Arg(string option)
    {
        var at = Args.ToList().IndexOf(option);
        return at >= 0 && at + 1 < Args.Count ? Args[at + 1] : throw new InvalidDataException($"The container is not given {option} VALUE (args: {string.Join(' ', Args)}).");
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace K2.Silo.Tests.Hosting;

/// <summary>
/// YAML documents as JSON, typed as the Kubernetes API server reads them: a quoted or block scalar is a string, a plain
/// one is null, a boolean or a number when it reads as one (the YAML 1.2 core schema), so <c>replicas: "2"</c> stays a
/// string and is caught where the schema wants an integer. Merge keys (<c>&lt;&lt;: *anchor</c>, as compose files use
/// them) are expanded, explicit keys winning.
/// </summary>
internal static partial class YamlJson
{
    public static IReadOnlyList<JsonObject> LoadAll(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Where(d => d.RootNode is YamlMappingNode).Select(d => (JsonObject)Convert(d.RootNode)!)];
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => Mapping(mapping),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(Convert)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidDataException($"Unexpected YAML node {node.NodeType} at {node.Start}."),
    };

    private static JsonObject Mapping(YamlMappingNode mapping)
    {
        var json = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name == "<<")
            {
                continue;
            }

            json.Add(name, Convert(value));
        }

        if (mapping.Children.TryGetValue(new YamlScalarNode("<<"), out var merged))
        {
            var sources = merged is YamlSequenceNode many ? many.Children : [merged];
            foreach (var source in sources.Cast<YamlMappingNode>())
            {
                foreach (var (name, value) in Mapping(source))
                {
                    if (!json.ContainsKey(name))
                    {
                        json.Add(name, value?.DeepClone());
                    }
                }
            }
        }

        return json;
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return JsonValue.Create(text.StartsWith('t') || text.StartsWith('T'));
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        return FloatPattern().IsMatch(text) ? JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture)) : JsonValue.Create(text);
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}

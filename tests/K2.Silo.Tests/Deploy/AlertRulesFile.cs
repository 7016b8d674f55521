using System.Text.RegularExpressions;
using K2.Testing;
using YamlDotNet.RepresentationModel;

namespace K2.Silo.Tests.Deploy;

/// <summary>deploy/prometheus/k2-alerts.yml as the tests read it: its rules, and the K2 metric families an expression names.</summary>
internal static partial class AlertRulesFile
{
    public static readonly string Path = System.IO.Path.Combine(RepositoryPaths.Root, "deploy", "prometheus", "k2-alerts.yml");

    /// <summary>Every rule of every group, in file order.</summary>
    public static List<YamlMappingNode> Rules()
    {
        var rules = new YamlStream();
        rules.Load(new StringReader(File.ReadAllText(Path)));
        return [.. ((YamlSequenceNode)((YamlMappingNode)rules.Documents[0].RootNode)["groups"])
            .Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())];
    }

    public static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    /// <summary>The K2 families <paramref name="expression"/> reads; histogram series by their family (the docs name families).</summary>
    public static IEnumerable<string> K2Families(string expression) => K2Family().Matches(expression).Select(m => m.Value);

    [GeneratedRegex(@"k2_[a-z_]+?(?=_bucket\b|\b)")]
    private static partial Regex K2Family();
}

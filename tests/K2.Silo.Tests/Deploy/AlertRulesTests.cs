using K2.Testing;
using YamlDotNet.RepresentationModel;

namespace K2.Silo.Tests.Deploy;

/// <summary>
/// The alert rules in deploy/prometheus: valid for Prometheus, each one tested firing and quiet by promtool's unit tests,
/// each linked to a runbook section that exists, and written over metrics docs/OPERATIONS.md documents.
/// </summary>
public sealed class AlertRulesTests
{
    private static readonly string Directory = Path.Combine(RepositoryPaths.Root, "deploy", "prometheus");
    private static readonly string RuleTests = Path.Combine(Directory, "k2-alerts.test.yml");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Promtool_checks_the_rules_and_their_unit_tests_pass()
    {
        var check = await Promtool.RunAsync(["check", "rules", AlertRulesFile.Path], null, Ct);
        check.ExitCode.ShouldBe(0, check.Output + check.Errors);
        check.Output.ShouldContain($"SUCCESS: {AlertRules().Count} rules found");

        var test = await Promtool.RunAsync(["test", "rules", RuleTests], null, Ct);
        test.ExitCode.ShouldBe(0, test.Output + test.Errors);
        test.Output.ShouldContain("SUCCESS");
    }

    [Fact]
    public void Every_alert_is_unit_tested_both_firing_and_quiet()
    {
        var cases = new YamlStream();
        cases.Load(new StringReader(File.ReadAllText(RuleTests)));
        var checks = ((YamlSequenceNode)((YamlMappingNode)cases.Documents[0].RootNode)["tests"])
            .Cast<YamlMappingNode>()
            .SelectMany(t => ((YamlSequenceNode)t["alert_rule_test"]).Cast<YamlMappingNode>())
            .Select(c => (Alert: Scalar(c, "alertname"), Fires: c.Children.ContainsKey("exp_alerts")))
            .ToList();

        foreach (var alert in AlertRules().Select(r => Scalar(r, "alert")))
        {
            checks.ShouldContain((alert, true), $"{alert} is never tested firing");
            checks.ShouldContain((alert, false), $"{alert} is never tested quiet");
        }
    }

    [Fact]
    public void Every_alert_links_a_runbook_section_that_exists()
    {
        foreach (var rule in AlertRules())
        {
            var url = Scalar((YamlMappingNode)rule["annotations"], "runbook_url");
            var parts = url.Split('#');
            var runbook = Path.Combine(RepositoryPaths.Root, parts[0]);
            File.Exists(runbook).ShouldBeTrue($"{Scalar(rule, "alert")}: {parts[0]} does not exist");
            parts[1].ShouldBe(Scalar(rule, "alert").ToLowerInvariant());
            File.ReadAllLines(runbook).ShouldContain($"## {Scalar(rule, "alert")}");
        }
    }

    [Fact]
    public void Every_K2_metric_an_alert_reads_is_documented()
    {
        var operations = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "OPERATIONS.md"));
        var metrics = AlertRules().SelectMany(r => AlertRulesFile.K2Families(Scalar(r, "expr"))).Distinct().ToList();

        metrics.ShouldNotBeEmpty();
        metrics.Where(m => !operations.Contains($"`{m}`", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    private static List<YamlMappingNode> AlertRules() => AlertRulesFile.Rules();

    private static string Scalar(YamlMappingNode node, string key) => AlertRulesFile.Scalar(node, key);
}

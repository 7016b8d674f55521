using System.Text.Json;
using K2.Silo.Tests.Deploy;
using K2.Testing;

namespace K2.Silo.Tests.Metrics;

/// <summary>
/// Issue #15's check against a running K2: a real Prometheus server scrapes the silo, loads the alert rules, and every
/// alert expression and every Grafana panel query (variables substituted) evaluates against the live data.
/// </summary>
public sealed partial class SiloMetricsTests
{
    private static readonly string DashboardFile = Path.Combine(RepositoryPaths.Root, "deploy", "grafana", "k2-overview.json");

    /// <summary>
    /// Panels whose series this silo has by the time of the check (Binance ingesting, one API request made); the other
    /// panels count failures, offloads, maintenance or other jobs, which this run has none of.
    /// </summary>
    private static readonly string[] PanelsWithData =
    [
        "Trades received per second", "Trades stored per second", "WebSocket connections open",
        "Seconds since each instrument's newest stored trade", "Gaps open", "Oldest open gap", "Receipt to stored, p50 / p99",
        "Hot-store insert duration p99 per table", "Rows waiting to be inserted", "Rows inserted per second", "Rows per insert batch, p50",
        "Active silos", "Grain activations by type", "Process CPU", "Heap size after GC", "Requests per second by route and status",
        "Latency p99 by route",
    ];

    [Fact]
    public async Task A_Prometheus_server_scrapes_the_silo_and_every_alert_rule_and_dashboard_query_evaluates_on_the_live_data()
    {
        // One API request, for the API panels; not /v1/instruments, whose count another test here asserts exactly.
        using var trades = await silo.Http.GetAsync("/v1/trades?exchange=binance&symbol=BTC-USDT&limit=1", Ct);
        await using var prometheus = await PrometheusServer.StartAsync([silo.Http.BaseAddress!], [AlertRulesFile.Path], Ct);

        // Two scrapes at least, so rates have two points; every rule evaluated at least once.
        await Eventually.TrueAsync(async ct => (await prometheus.QueryAsync("rate(k2_trades_received_total[1m])", ct)).Series == 1,
            TimeSpan.FromSeconds(30), $"Prometheus has no rate of received trades:{Environment.NewLine}{prometheus.Output}", Ct);
        await Eventually.TrueAsync(async ct => (await prometheus.AlertingRulesAsync(ct)).All(r => r.Health != "unknown"),
            TimeSpan.FromSeconds(30), "Prometheus has not evaluated every alert rule", Ct);

        var targets = await prometheus.TargetsAsync(Ct);
        targets.ShouldBe([("up", "")]);
        var rules = await prometheus.AlertingRulesAsync(Ct);
        rules.Select(r => r.Name).ShouldBe(AlertExpressions().Select(a => a.Alert), ignoreOrder: true);
        rules.Where(r => r.Health != "ok").ShouldBeEmpty("every rule evaluates without error on the server");
        foreach (var (alert, expression) in AlertExpressions())
        {
            (await prometheus.QueryAsync(expression, Ct)).Error.ShouldBeNull($"alert {alert}");
        }

        var panels = DashboardQueries();
        panels.Select(p => p.Panel).Distinct().Count().ShouldBe(40);
        foreach (var (panel, expression) in panels)
        {
            var result = await prometheus.QueryAsync(expression, Ct);
            result.Error.ShouldBeNull($"panel '{panel}': {expression}");
            if (PanelsWithData.Contains(panel))
            {
                result.Series.ShouldBeGreaterThan(0, $"panel '{panel}' shows nothing: {expression}");
            }
        }

        // Every K2 family a panel reads is documented, as the alert rules' are (AlertRulesTests).
        var operations = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "OPERATIONS.md"));
        panels.SelectMany(p => AlertRulesFile.K2Families(p.Expression)).Distinct()
            .Where(m => !operations.Contains($"`{m}`", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    private static List<(string Alert, string Expression)> AlertExpressions() =>
        [.. AlertRulesFile.Rules().Select(r => (AlertRulesFile.Scalar(r, "alert"), AlertRulesFile.Scalar(r, "expr")))];

    /// <summary>Every panel's queries with the dashboard's variables as Grafana would fill them for one exchange.</summary>
    private static List<(string Panel, string Expression)> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(DashboardFile));
        return [.. dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.GetProperty("type").GetString() != "row")
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (
                p.GetProperty("title").GetString()!,
                t.GetProperty("expr").GetString()!.Replace("$__rate_interval", "1m", StringComparison.Ordinal).Replace("$exchange", "binance", StringComparison.Ordinal))))];
    }
}

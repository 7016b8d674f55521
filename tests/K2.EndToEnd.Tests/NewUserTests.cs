using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using K2.Core;
using K2.Core.Instruments;
using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>
/// What a new user does with the README: run with the simulator, look at trades and the operator pages (K2's status at
/// <c>/</c>, the Orleans dashboard at <c>/dashboard/</c>), stop, start again.
/// </summary>
public sealed partial class NewUserTests(ITestOutputHelper output)
{
    private const string TradesPath = "/v1/trades?exchange=binance&symbol=BTC-USDT&limit=10000";
    private const string ExchangeGrainType = "K2.Grains.Exchanges.ExchangeGrain";
    private const string InstrumentGrainType = "K2.Grains.Instruments.InstrumentGrain";

    [Fact]
    public async Task Run_simulate_serves_trades_within_30_seconds_and_the_operator_pages_stops_with_code_0_and_keeps_its_data()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("k2-newuser");
        HashSet<string> firstRunIds;

        var started = Stopwatch.StartNew();
        await using (var first = K2Process.Start(data.Path, ["--simulate"]))
        {
            try
            {
                await Eventually.TrueAsync(async attempt => await TryGetTradeIdsAsync(first, attempt) is { Count: > 0 },
                    TimeSpan.FromSeconds(30), "no trades within 30 s of start", ct);
                output.WriteLine($"First trades served {started.Elapsed.TotalSeconds:0.0} s after start.");
                firstRunIds = (await TryGetTradeIdsAsync(first, ct))!;

                (await first.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0, "SIGTERM should end k2 with exit code 0");
            }
            finally
            {
                output.WriteLine(first.Output);
            }
        }

        await using var second = K2Process.Start(data.Path, ["--simulate"]);
        try
        {
            await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
            var secondRunIds = await TryGetTradeIdsAsync(second, ct);

            secondRunIds.ShouldNotBeNull();
            firstRunIds.Except(secondRunIds).ShouldBeEmpty("trades stored by the first run must survive a restart");
            await ShowsTheOperatorPagesAsync(second, ct);
            (await second.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0);
        }
        finally
        {
            output.WriteLine(second.Output);
        }
    }

    /// <summary>
    /// K2's page at <c>/</c> and its JSON at <c>/v1/status</c>; the Orleans dashboard under <c>/dashboard/</c>, served whole
    /// by the process, counting one exchange grain per enabled exchange and one instrument grain per configured instrument.
    /// </summary>
    private async Task ShowsTheOperatorPagesAsync(K2Process k2, CancellationToken ct)
    {
        var page = await k2.Http.GetStringAsync("/", ct);
        page.ShouldContain("""<a href="/dashboard/">""");
        page.ShouldContain("fetch('/v1/status')");

        // --simulate serves every exchange, and each is enabled unless configuration says otherwise.
        var status = await k2.GetJsonAsync("/v1/status", ct);
        var exchanges = status.GetProperty("exchanges").EnumerateArray().Select(e => e.GetProperty("exchange").GetString()!).ToList();
        exchanges.ShouldBe(ExchangeNames.All.Select(e => e.ToName()));
        status.GetProperty("ingest").EnumerateObject().Select(p => p.Name).ShouldBe(exchanges);
        status.GetProperty("grains").GetProperty("activations").GetInt32().ShouldBeGreaterThan(0);

        // Operator views, not API: the OpenAPI document lists neither K2's status nor the dashboard's routes.
        var paths = (await k2.GetJsonAsync("/openapi/v1.json", ct)).GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/v1/trades");
        paths.ShouldNotContain(p => p == "/v1/status" || p.StartsWith("/dashboard", StringComparison.Ordinal));

        // /dashboard/status was K2's; now the dashboard owns /dashboard/ and has no such route.
        using (var old = await k2.Http.GetAsync("/dashboard/status", ct))
        {
            old.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = k2.BaseAddress };
        using (var bare = await noRedirects.GetAsync("/dashboard", ct))
        {
            bare.StatusCode.ShouldBe(HttpStatusCode.MovedPermanently);
            new Uri(k2.BaseAddress, bare.Headers.Location!).AbsolutePath.ShouldBe("/dashboard/");
        }

        using var dashboard = await k2.Http.GetAsync("/dashboard/", ct);
        dashboard.StatusCode.ShouldBe(HttpStatusCode.OK);
        dashboard.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        var html = await dashboard.Content.ReadAsStringAsync(ct);
        html.ShouldContain("<title>Orleans Dashboard</title>");

        // Offline: the script, style sheet and icon the page names, and the fonts the style sheet names (besides inline
        // data: URLs), are relative and served by the process itself.
        var pageAssets = AssetReference().Matches(html).Select(m => m.Groups["url"].Value).Distinct().ToList();
        pageAssets.ShouldBe(["favicon.ico", "./index.min.js", "./index.css"], ignoreOrder: true);
        var css = await k2.Http.GetStringAsync("/dashboard/index.css", ct);
        var styleAssets = StyleSheetUrl().Matches(css).Select(m => m.Groups["url"].Value)
            .Where(url => !url.StartsWith("data:", StringComparison.Ordinal)).Distinct().ToList();
        styleAssets.ShouldNotBeEmpty();
        foreach (var asset in pageAssets.Concat(styleAssets))
        {
            asset.ShouldNotContain(":", customMessage: $"{asset} names a scheme or host");
            asset.ShouldNotStartWith("/", customMessage: $"{asset} is not relative to the dashboard");
            using var response = await k2.Http.GetAsync(new Uri(new Uri(k2.BaseAddress, "/dashboard/"), asset), ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, asset);
            (await response.Content.ReadAsByteArrayAsync(ct)).Length.ShouldBeGreaterThan(0, asset);
        }

        var registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);
        var instruments = ExchangeNames.All.Sum(e => registry.ForExchange(e).Count);
        Dictionary<string, (int Activations, long Calls)> grains = [];
        // Instrument grains activate with their first trade; the dashboard refreshes its counters every few seconds and
        // counts calls only once someone looks at it.
        await Eventually.TrueAsync(async attempt =>
        {
            grains = await GrainStatsAsync(k2, attempt);
            return grains.GetValueOrDefault(InstrumentGrainType) is { Activations: var active, Calls: > 0 } && active == instruments;
        }, TimeSpan.FromSeconds(30), $"the dashboard did not count {instruments} instrument grains and their calls", ct);
        output.WriteLine("Dashboard grains: " + string.Join(", ", grains.Select(g => $"{g.Key} {g.Value}")));
        grains[ExchangeGrainType].Activations.ShouldBe(exchanges.Count);

        // The dashboard answers an empty list when it cannot read reminders, so the rows themselves are the check.
        var reminders = (await k2.GetJsonAsync("/dashboard/Reminders/1", ct)).GetProperty("reminders").EnumerateArray()
            .Select(r => $"{r.GetProperty("grainReference").GetString()} {r.GetProperty("name").GetString()} every {r.GetProperty("period").GetString()}")
            .Order(StringComparer.Ordinal);
        reminders.ShouldBe(["maintenance/0 maintenance every 1.00:00:00", "offload/0 offload every 00:15:00"]);
    }

    /// <summary>The dashboard's activations and calls per grain type, summed over silos.</summary>
    private static async Task<Dictionary<string, (int Activations, long Calls)>> GrainStatsAsync(K2Process k2, CancellationToken ct)
    {
        var counters = await k2.GetJsonAsync("/dashboard/DashboardCounters", ct);
        return counters.GetProperty("simpleGrainStats").EnumerateArray()
            .GroupBy(g => g.GetProperty("grainType").GetString()!)
            .ToDictionary(g => g.Key, g => (
                g.Sum(s => s.GetProperty("activationCount").GetInt32()),
                g.Sum(s => s.GetProperty("totalCalls").GetInt64())));
    }

    [GeneratedRegex(@"(?:src|href)=""(?<url>[^""]+)""")]
    private static partial Regex AssetReference();

    [GeneratedRegex(@"url\((?<quote>[""']?)(?<url>[^""')]+)\k<quote>\)")]
    private static partial Regex StyleSheetUrl();

    private static async Task<HashSet<string>?> TryGetTradeIdsAsync(K2Process k2, CancellationToken ct)
    {
        try
        {
            var body = await k2.GetJsonAsync(TradesPath, ct);
            return [.. body.GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("trade_id").GetString()!)];
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

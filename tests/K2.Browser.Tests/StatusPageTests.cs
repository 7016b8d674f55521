using System.Globalization;
using K2.Browser.Tests.Support;
using K2.Testing;
using Microsoft.Playwright;

namespace K2.Browser.Tests;

/// <summary>
/// K2's status page at <c>/</c> of a real <c>k2 run --simulate</c>, in a browser that may not leave 127.0.0.1 and is as
/// large as a 1366×768 laptop screen: it fills from <c>/v1/status</c>, its numbers move from one refresh to the next,
/// and it says "unavailable" once k2 is gone. The screenshot it takes is the one in the docs.
/// </summary>
public sealed class StatusPageTests(HeadlessChromium chromium)
{
    /// <summary>Set to 1 to write the screenshot over the one the docs show (<c>docs/images/status-page.png</c>).</summary>
    public const string UpdateDocsScreenshot = "K2_UPDATE_DOCS_SCREENSHOT";

    private const string AdminKey = "status-page-test-admin-key";

    private static readonly string[] Shards = ["binance/0", "kraken/0", "coinbase/0"];

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Shows_the_simulated_exchanges_moving_then_says_unavailable_once_k2_is_gone()
    {
        using var data = new TempDirectory("k2-status-page");
        await using var k2 = K2Process.Start(data.Path, ["--simulate"], new Dictionary<string, string>
        {
            ["K2__Api__Admin__Keys__0__Name"] = "status-page-test",
            ["K2__Api__Admin__Keys__0__Key"] = AdminKey,
            // Rows stored by the time the offload is asked for are offloaded, not left for a later run.
            ["K2__Offload__SafetyLag"] = "00:00:00",
        });
        // Disposed before k2: closing it fails the test if it ever tried to leave loopback.
        await using var page = await chromium.OpenPageAsync();
        await page.Page.SetViewportSizeAsync(1366, 768);
        var origin = k2.BaseAddress.GetLeftPart(UriPartial.Authority);
        await k2.WaitUntilReadyAsync(Wait, Ct);

        await page.Page.GotoAsync(origin + "/");
        // Data: every shard connected and every instrument's grain has passed a trade on (its chip shows an age in seconds).
        var instruments = (await k2.GetJsonAsync("/v1/status", Ct)).GetProperty("instruments").GetArrayLength();
        await page.Page.WaitForFunctionAsync(
            """
            count => document.querySelectorAll('#exchanges tr[data-shard] td[data-field=session].ok').length === 3
              && document.querySelectorAll('#instruments .chip').length === count
              && [...document.querySelectorAll('#instruments .chip i[data-field=age]')].every(a => / s$/.test(a.textContent))
            """,
            instruments, new PageWaitForFunctionOptions { Timeout = (float)Wait.TotalMilliseconds, PollingInterval = 200 });

        // An offload and a maintenance now, as their schedules would run them, so the cold section has runs to show.
        await PostAdminAsync(k2, "/v1/admin/offload");
        await PostAdminAsync(k2, "/v1/admin/maintenance");

        var first = await ReadAsync(page.Page);
        // The next refreshes: the status' clock, binance's trades received and BTC-USDT's newest trade all move on.
        await page.Page.WaitForFunctionAsync(
            """
            ([now, received, btc]) => document.getElementById('live').dataset.now !== now
              && Number(document.querySelector('tr[data-shard="binance/0"] td[data-field=trades_received]').textContent.replaceAll(',', '')) > received
              && document.querySelector('[data-instrument="binance/BTC-USDT"]').title !== btc
            """,
            new object[] { first.Now, first.BinanceReceived, first.BtcTitle }, new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 200 });
        var second = await ReadAsync(page.Page);

        DateTimeOffset.Parse(second.Now, CultureInfo.InvariantCulture).ShouldBeGreaterThan(DateTimeOffset.Parse(first.Now, CultureInfo.InvariantCulture));
        second.BinanceReceived.ShouldBeGreaterThan(first.BinanceReceived);
        second.BtcTitle.ShouldNotBe(first.BtcTitle);
        (await Texts(page.Page, "#exchanges tr[data-shard] td[data-field=shard]")).ShouldBe(Shards);
        (await Texts(page.Page, "#exchanges td[data-field=session]")).ShouldAllBe(s => s == "connected");
        (await Texts(page.Page, "#exchanges td[data-field=trades_lost]")).ShouldAllBe(s => s == "0");
        (await Texts(page.Page, "#instruments .group > b")).ShouldBe(["binance", "kraken", "coinbase"]);
        (await Texts(page.Page, "#writers tr[data-table] td:first-child")).ShouldBe(
            ["silver_trades", "ohlcv", "bronze_trades_binance", "bronze_trades_kraken", "bronze_trades_coinbase", "schema_migrations"]);
        (await Texts(page.Page, "#cold tr[data-table] td:first-child")).ShouldBe(
            ["bronze_trades_binance", "bronze_trades_kraken", "bronze_trades_coinbase", "silver_trades",
             "gold_ohlcv_1m", "gold_ohlcv_5m", "gold_ohlcv_15m", "gold_ohlcv_30m", "gold_ohlcv_1h", "gold_ohlcv_1d"]);
        (await Texts(page.Page, "#silos tr[data-silo] td:first-child")).Count.ShouldBe(1);
        // Every table had rows to offload; each shows its four maintenance tasks, in the order they run. What the audit
        // finds (ok or mismatch) depends on what was still arriving, so only its name is checked.
        await Assertions.Expect(page.Page.Locator("#cold td[data-field=last_run]")).ToHaveTextAsync(Enumerable.Repeat("committed", 10).ToArray());
        await Assertions.Expect(page.Page.Locator("#cold td[data-field=maintenance] .chip")).ToHaveCountAsync(40);
        var maintenance = await Texts(page.Page, "#cold td[data-field=maintenance] .chip");
        maintenance.Chunk(4).ShouldAllBe(tasks => tasks[0] == "compact ok" && tasks[1] == "expire ok" && tasks[2] == "orphans ok" && tasks[3].StartsWith("audit ", StringComparison.Ordinal));
        (await Texts(page.Page, "#cold td[data-field=records]")).ShouldAllBe(r => long.Parse(r, NumberStyles.AllowThousands, CultureInfo.InvariantCulture) > 0);
        // Taken before the width check, so a page too wide is there to see in the attachment.
        await SaveScreenshotAsync(page);
        // Readable on the laptop screen: nothing wider than the window.
        (await page.Page.EvaluateAsync<int>("document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(1366);
        page.ConsoleErrors.ShouldBeEmpty();
        page.PageErrors.ShouldBeEmpty();
        page.Requests.ShouldAllBe(r => r.Url.StartsWith(origin + "/", StringComparison.Ordinal));

        await k2.KillAsync(Ct);
        await Assertions.Expect(page.Page.Locator("#banner")).ToContainTextAsync("Status unavailable since", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Page.Locator("#live")).ToHaveTextAsync("unavailable");
        // The last status that came is still shown, and the banner says of when.
        var shown = (await page.Page.Locator("#live").GetAttributeAsync("data-now"))!;
        DateTimeOffset.Parse(shown, CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(DateTimeOffset.Parse(second.Now, CultureInfo.InvariantCulture));
        (await page.Page.Locator("#banner").TextContentAsync() ?? "").ShouldContain($"showing the status of {shown[11..19]} UTC");
        // The browser logs each refused poll; that is all it may log.
        page.ConsoleErrors.ShouldAllBe(e => e.Contains("/v1/status", StringComparison.Ordinal));
        page.PageErrors.ShouldBeEmpty();
    }

    private static async Task PostAdminAsync(K2Process k2, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("X-Api-Key", AdminKey);
        using var response = await k2.Http.SendAsync(request, Ct);
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<Refresh> ReadAsync(IPage page) => new(
        (await page.Locator("#live").GetAttributeAsync("data-now"))!,
        long.Parse((await page.Locator("tr[data-shard=\"binance/0\"] td[data-field=trades_received]").TextContentAsync())!, NumberStyles.AllowThousands, CultureInfo.InvariantCulture),
        (await page.Locator("[data-instrument=\"binance/BTC-USDT\"]").GetAttributeAsync("title"))!);

    private static async Task<IReadOnlyList<string>> Texts(IPage page, string selector) =>
        [.. (await page.Locator(selector).AllTextContentsAsync()).Select(t => t.Trim())];

    /// <summary>
    /// Attached to the test's results always; written over <c>docs/images/status-page.png</c> only when asked
    /// (<see cref="UpdateDocsScreenshot"/>), so an ordinary test run leaves the repository as it was.
    /// </summary>
    private static async Task SaveScreenshotAsync(LoopbackPage page)
    {
        var png = await page.Page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        TestContext.Current.AddAttachment("status-page", png, "image/png");
        if (Environment.GetEnvironmentVariable(UpdateDocsScreenshot) == "1")
        {
            await File.WriteAllBytesAsync(Path.Combine(RepositoryPaths.Root, "docs", "images", "status-page.png"), png, Ct);
        }
    }

    /// <summary>What one refresh showed: the status' clock, binance's trades received and BTC-USDT's chip details.</summary>
    private sealed record Refresh(string Now, long BinanceReceived, string BtcTitle);
}

using K2.Browser.Tests.Support;

namespace K2.Browser.Tests;

/// <summary>The guard every browser test relies on: what a page does beyond 127.0.0.1 is stopped and reported.</summary>
public sealed class LoopbackPageTests(HeadlessChromium chromium)
{
    // A documentation address (RFC 5737): were the guard to let it through, it would still reach nothing.
    private const string Elsewhere = "http://192.0.2.1/pixel.png";

    [Fact]
    public async Task A_request_bound_elsewhere_is_stopped_recorded_and_fails_the_page()
    {
        var page = await chromium.OpenPageAsync();

        var request = await page.Page.RunAndWaitForRequestAsync(
            () => page.Page.SetContentAsync($"<img src=\"{Elsewhere}\">"), Elsewhere);

        request.Failure.ShouldStartWith("net::ERR_BLOCKED_BY_CLIENT");
        page.Requests.ShouldContain(new PageRequest("GET", Elsewhere, "image"));
        page.OffLoopbackRequests.ShouldBe([Elsewhere]);
        // Shouldly's ThrowAsync lets its own assertion failures through, so xunit records this one.
        var failure = await Record.ExceptionAsync(async () => await page.DisposeAsync());
        failure.ShouldBeOfType<ShouldAssertException>().Message.ShouldContain(Elsewhere);
    }

    [Fact]
    public async Task A_websocket_bound_elsewhere_is_recorded_and_fails_the_page()
    {
        const string feed = "ws://192.0.2.1/feed";
        var page = await chromium.OpenPageAsync();

        // Resolves once Playwright has routed the socket, which it does before the page sees it open.
        var state = await page.Page.EvaluateAsync<string>(
            "url => new Promise(resolve => { const s = new WebSocket(url); s.onopen = () => resolve('open'); s.onerror = () => resolve('error'); })",
            feed);

        state.ShouldBe("open");
        page.Requests.ShouldContain(new PageRequest("GET", feed, "websocket"));
        page.OffLoopbackRequests.ShouldBe([feed]);
        // Shouldly's ThrowAsync lets its own assertion failures through, so xunit records this one.
        var failure = await Record.ExceptionAsync(async () => await page.DisposeAsync());
        failure.ShouldBeOfType<ShouldAssertException>().Message.ShouldContain(feed);
    }

    [Fact]
    public async Task Console_errors_and_uncaught_script_errors_are_recorded()
    {
        await using var page = await chromium.OpenPageAsync();

        await page.Page.SetContentAsync(
            "<script>console.warn('only a warning'); console.error('logged as an error'); throw new Error('never caught');</script>");

        page.ConsoleErrors.ShouldHaveSingleItem().ShouldStartWith("logged as an error");
        page.PageErrors.ShouldHaveSingleItem().ShouldContain("never caught");
        page.OffLoopbackRequests.ShouldBeEmpty();
    }
}

using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace K2.Browser.Tests.Support;

/// <summary>
/// A browser page that may only talk to 127.0.0.1. Every request it makes is recorded; one bound anywhere else is
/// stopped before it leaves and recorded in <see cref="OffLoopbackRequests"/>, so a test sees it instead of the page
/// quietly working around it. Console errors and uncaught script errors are recorded too. Disposing closes the page
/// and fails if any request tried to leave loopback, so no test that disposes its page passes while the page reached out.
/// </summary>
public sealed class LoopbackPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<PageRequest> _requests = new();
    private readonly ConcurrentQueue<string> _offLoopback = new();
    private readonly ConcurrentQueue<string> _consoleErrors = new();
    private readonly ConcurrentQueue<string> _pageErrors = new();

    private LoopbackPage(IBrowserContext context) => _context = context;

    public IPage Page { get; private set; } = null!;

    /// <summary>Every request the page made (allowed or stopped), in the order they started.</summary>
    public IReadOnlyList<PageRequest> Requests => [.. _requests];

    /// <summary>The URLs of requests bound anywhere but 127.0.0.1, each stopped before it left.</summary>
    public IReadOnlyList<string> OffLoopbackRequests => [.. _offLoopback];

    /// <summary>Messages the page logged to its console at the error level (failed loads among them).</summary>
    public IReadOnlyList<string> ConsoleErrors => [.. _consoleErrors];

    /// <summary>Errors the page's scripts threw and did not catch.</summary>
    public IReadOnlyList<string> PageErrors => [.. _pageErrors];

    internal static async Task<LoopbackPage> OpenAsync(IBrowser browser)
    {
        // Service workers fetch outside the context's routing; the pages under test do not need them.
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ServiceWorkers = ServiceWorkerPolicy.Block });
        var loopbackPage = new LoopbackPage(context);
        context.Request += (_, request) => loopbackPage._requests.Enqueue(new PageRequest(request.Method, request.Url, request.ResourceType));
        context.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                loopbackPage._consoleErrors.Enqueue($"{message.Text} ({message.Location})");
            }
        };
        context.WebError += (_, error) => loopbackPage._pageErrors.Enqueue(error.Error);
        await context.RouteAsync(_ => true, loopbackPage.RouteAsync);
        // WebSockets bypass request routing and have a route of their own, which applies to pages opened after it.
        await context.RouteWebSocketAsync(_ => true, loopbackPage.RouteWebSocket);
        loopbackPage.Page = await context.NewPageAsync();
        return loopbackPage;
    }

    /// <summary>Fails naming every request that tried to leave loopback.</summary>
    public void ShouldHaveStayedOnLoopback() =>
        OffLoopbackRequests.ShouldBeEmpty("requests bound elsewhere than 127.0.0.1 (stopped)");

    /// <summary>Attaches a screenshot of the whole page to the current test's results.</summary>
    public async Task AttachScreenshotAsync(string name)
    {
        var png = await Page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        TestContext.Current.AddAttachment(name, png, "image/png");
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        ShouldHaveStayedOnLoopback();
    }

    private async Task RouteAsync(IRoute route)
    {
        if (IsLoopback(route.Request.Url))
        {
            await route.ContinueAsync();
            return;
        }

        _offLoopback.Enqueue(route.Request.Url);
        await route.AbortAsync("blockedbyclient");
    }

    private void RouteWebSocket(IWebSocketRoute route)
    {
        // WebSockets are no requests to Playwright's request events: recorded here.
        _requests.Enqueue(new PageRequest("GET", route.Url, "websocket"));
        if (IsLoopback(route.Url))
        {
            route.ConnectToServer();
            return;
        }

        // Not connected to its server, the socket talks to nothing: Playwright answers the page in its place.
        _offLoopback.Enqueue(route.Url);
    }

    /// <summary>
    /// Whether a request stays on this machine: to 127.0.0.1 over http(s) or ws(s), or for data the page already holds
    /// (<c>data:</c> and <c>blob:</c> URLs). Anything else (another address, <c>localhost</c>, another scheme) does not.
    /// </summary>
    private static bool IsLoopback(string url)
    {
        if (url.StartsWith("data:", StringComparison.Ordinal) || url.StartsWith("blob:", StringComparison.Ordinal))
        {
            return true;
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https" or "ws" or "wss"
            && uri.Host == "127.0.0.1";
    }
}

/// <summary>One request a page made: its method, URL and Playwright's resource type (document, script, fetch, …).</summary>
public sealed record PageRequest(string Method, string Url, string ResourceType);

using System.Text.Json;
using K2.Browser.Tests.Support;
using Microsoft.Playwright;

namespace K2.Browser.Tests;

/// <summary>The interactive API reference at /docs, rendered by a real browser that may not leave 127.0.0.1.</summary>
public sealed class ApiReferencePageTests(HeadlessChromium chromium, ApiServer api) : IAsyncLifetime
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private LoopbackPage _page = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Origin => api.Origin.GetLeftPart(UriPartial.Authority);

    public async ValueTask InitializeAsync() => _page = await chromium.OpenPageAsync();

    // Disposed by xunit after the test, which reports a failure here beside the test's own.
    public ValueTask DisposeAsync() => _page.DisposeAsync();

    [Fact]
    public async Task Lists_every_operation_of_the_OpenAPI_document_with_nothing_from_elsewhere()
    {
        var documented = await DocumentedOperationsAsync();
        new[] { "GET /v1/instruments", "GET /v1/trades", "GET /v1/candles" }.ShouldBeSubsetOf(documented);

        await _page.Page.GotoAsync($"{Origin}/docs");
        // Scalar 3.0.0 renders each tag's operations as links of class "endpoint": the method, then the path.
        var endpoints = _page.Page.Locator("a.endpoint");
        await Assertions.Expect(endpoints).ToHaveCountAsync(documented.Count, new() { Timeout = 30_000 });
        var rendered = await endpoints.EvaluateAllAsync<string[]>(
            "links => links.map(l => l.querySelector('.endpoint-method').innerText.trim() + ' ' + l.querySelector('.endpoint-path').innerText.trim())");
        await _page.AttachScreenshotAsync("api-reference");

        rendered.Order().ShouldBe(documented.Order());
        (await _page.Page.TitleAsync()).ShouldBe("K2 API");
        _page.ShouldHaveStayedOnLoopback();
        _page.ConsoleErrors.ShouldBeEmpty();
        _page.PageErrors.ShouldBeEmpty();
        _page.Requests.ShouldAllBe(r => r.Url.StartsWith(Origin + "/", StringComparison.Ordinal));
        _page.Requests.Where(r => r.ResourceType == "script").ShouldNotBeEmpty();
        _page.Requests.ShouldContain(new PageRequest("GET", $"{Origin}/openapi/v1.json", "fetch"));
    }

    /// <summary>The operations the OpenAPI document describes, as "GET /v1/trades".</summary>
    private async Task<List<string>> DocumentedOperationsAsync()
    {
        using var http = new HttpClient { BaseAddress = api.Origin };
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json", Ct));
        return
        [
            .. from path in document.RootElement.GetProperty("paths").EnumerateObject()
               from member in path.Value.EnumerateObject()
               where HttpMethods.Contains(member.Name)
               select $"{member.Name.ToUpperInvariant()} {path.Name}",
        ];
    }
}

using K2.Api.Tests.Support;
using K2.Testing;

namespace K2.Api.Tests.Metrics;

/// <summary>
/// <c>/metrics</c> of the standalone API: its requests by route and status with their latency, the runtime's instruments,
/// named as the API's process, and nothing Prometheus' own linter objects to.
/// </summary>
public sealed class ApiMetricsTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_are_measured_by_route_and_status_and_the_scrape_passes_promtool()
    {
        using var client = factory.CreateClient();
        using var instruments = await client.GetAsync("/v1/instruments", Ct);
        // No Accept header: the text format, which promtool reads.
        var text = await client.GetStringAsync("/metrics", Ct);
        var scrape = PrometheusText.Parse(text);

        scrape.Types["http_server_request_duration_seconds"].ShouldBe("histogram");
        // ASP.NET Core's meter is seen by name across the process: other tests' hosts in this assembly (the replica API of
        // the rate-limit and outage tests) add series with the same labels, so every matching series is checked.
        var measured = scrape.Find(
            "http_server_request_duration_seconds_count", ("http_route", "/v1/instruments/"), ("http_response_status_code", "200"),
            ("http_request_method", "GET")).ToList();
        measured.ShouldNotBeEmpty();
        measured.ShouldAllBe(m => m.Labels.Keys.Order(StringComparer.Ordinal).SequenceEqual(
            new[] { "http_request_method", "http_response_status_code", "http_route", "network_protocol_version", "url_scheme" }));
        measured.Sum(m => m.Value).ShouldBeGreaterThanOrEqualTo(1);
        scrape.Find("http_server_request_duration_seconds_bucket", ("http_route", "/v1/instruments/"), ("le", "0.005")).ShouldNotBeEmpty();
        scrape.Find("target_info").Single().Labels["service_name"].ShouldBe("k2-api");
        scrape.Types["dotnet_gc_heap_total_allocated_bytes_total"].ShouldBe("counter");
        scrape.Types.Keys.Where(f => !scrape.Helps.ContainsKey(f)).ShouldBeEmpty();

        var lint = await Promtool.CheckMetricsAsync(text, Ct);

        (lint.Output + lint.Errors).ShouldBeEmpty();
        lint.ExitCode.ShouldBe(0);
    }
}

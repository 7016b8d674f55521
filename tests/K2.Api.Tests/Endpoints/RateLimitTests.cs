using System.Net;
using System.Text.Json;
using K2.Api.Tests.Support;

namespace K2.Api.Tests.Endpoints;

/// <summary>Each client gets its configured burst of requests; the next is a 429 problem saying when to retry.</summary>
public sealed class RateLimitTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_client_over_its_burst_gets_429_with_retry_after_while_health_stays_unlimited()
    {
        // One permit an hour after a burst of three: the fourth request is over the limit however slow the machine.
        await using var replica = await ReplicaApi.StartAsync(factory, "k2_api_limits", new Dictionary<string, string>
        {
            ["K2:Api:RateLimit:PermitsPerPeriod"] = "1",
            ["K2:Api:RateLimit:Period"] = "01:00:00",
            ["K2:Api:RateLimit:Burst"] = "3",
        }, Ct);
        var client = replica.Factory.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("/v1/instruments?exchange=kraken", Ct);
            statuses.Add(response.StatusCode);
        }

        using var refused = await client.GetAsync("/v1/trades?exchange=binance&symbol=BTC-USDT", Ct);
        using var health = await client.GetAsync("/health/live", Ct);

        statuses.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests]);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeInRange(1, 3_600);
        JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("detail").GetString()
            .ShouldStartWith("This client may make 1 requests per 01:00:00 (bursts of 3); retry after ");
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

using System.Net;
using System.Text.Json;
using K2.Api.Tests.Support;

namespace K2.Api.Tests.Endpoints;

/// <summary>
/// A hot store that stops answering is not the client's fault: the standalone API, configured like a cluster replica
/// (its hot store a ClickHouse server over HTTP), answers 503 problem+json with Retry-After while the server cuts
/// every request off, and 200 again once it answers.
/// </summary>
public sealed class StoreOutageTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_store_that_cuts_every_request_off_gets_a_503_with_retry_after_and_then_recovers()
    {
        await using var replica = await ReplicaApi.StartAsync(
            factory, "k2_api_outage", new Dictionary<string, string> { ["K2:Storage:Http:ReadRetryDelay"] = "00:00:00.010" }, Ct);
        var client = replica.Factory.CreateClient();
        const string Path = "/v1/trades?exchange=binance&symbol=BTC-USDT&from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z";
        (await client.GetAsync(Path, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        replica.Store.DropNextRequests(1_000);
        using var down = await client.GetAsync(Path, Ct);
        using var notReady = await client.GetAsync("/health/ready", Ct);
        replica.Store.DropNextRequests(0);
        using var up = await client.GetAsync(Path, Ct);

        down.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        down.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        down.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(5));
        JsonDocument.Parse(await down.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("status").GetInt32().ShouldBe(503);
        notReady.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        up.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

using System.Net;
using System.Text.Json;
using K2.Api.Tests.Support;

namespace K2.Api.Tests.Endpoints;

public sealed class InstrumentsEndpointsTests(ApiFactory factory)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lists_the_whole_registry()
    {
        var body = await GetJsonAsync("/v1/instruments");

        var instruments = body.GetProperty("instruments").EnumerateArray().ToList();
        instruments.Count.ShouldBe(12 + 11 + 11);
        var btc = instruments.Single(i => i.GetProperty("exchange").GetString() == "binance" && i.GetProperty("symbol").GetString() == "BTC-USDT");
        btc.GetProperty("exchange_symbol").GetString().ShouldBe("BTCUSDT");
        btc.GetProperty("base").GetString().ShouldBe("BTC");
        btc.GetProperty("quote").GetString().ShouldBe("USDT");
        btc.GetProperty("price_scale").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task Filters_by_exchange()
    {
        var body = await GetJsonAsync("/v1/instruments?exchange=kraken");

        var exchanges = body.GetProperty("instruments").EnumerateArray().Select(i => i.GetProperty("exchange").GetString()).ToList();
        exchanges.Count.ShouldBe(11);
        exchanges.ShouldAllBe(e => e == "kraken");
    }

    [Theory]
    [InlineData("/v1/instruments?exchange=bitmex", "exchange")]
    [InlineData("/v1/instruments?exchange=Binance", "exchange")]
    [InlineData("/v1/instruments?exchnge=binance", "exchnge")]
    public async Task A_bad_parameter_is_a_400_problem_naming_it(string path, string parameter)
    {
        using var response = await factory.CreateClient().GetAsync(path, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("status").GetInt32().ShouldBe(400);
        problem.GetProperty("errors").TryGetProperty(parameter, out _).ShouldBeTrue();
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await factory.CreateClient().GetAsync(path, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
    }
}

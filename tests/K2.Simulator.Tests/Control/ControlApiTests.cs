using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using K2.Core;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Control;

public sealed class ControlApiTests
{
    [Fact]
    public async Task Ground_truth_is_served_as_snake_case_with_exact_decimals_and_microseconds()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions(), TestRegistries.BinanceOnly, time, null, ct);
        time.Advance(TimeSpan.FromSeconds(2));
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        var json = await http.GetStringAsync("/control/ground-truth?exchange=binance&symbol=XRPUSDT", ct);

        var printed = simulator.GroundTruth.For(Exchange.Binance, "XRPUSDT");
        var expected = printed.Select(t => new
        {
            exchange = "binance",
            exchange_symbol = "XRPUSDT",
            trade_id = t.TradeId,
            price = t.Price.ToString(System.Globalization.CultureInfo.InvariantCulture),
            quantity = t.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            taker_side = t.TakerSide == K2.Core.Trades.TradeSide.Buy ? "buy" : "sell",
            trade_time = t.TradeTime.Value,
        });
        Assert.Equal(JsonSerializer.Serialize(expected), json);
        Assert.Contains("\"price\":\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ground_truth_filters_by_exchange_or_returns_everything()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions(), TestRegistries.BinanceOnly, time, null, ct);
        time.Advance(TimeSpan.FromSeconds(1));
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        var all = await http.GetFromJsonAsync<JsonElement[]>("/control/ground-truth", ct);
        var binance = await http.GetFromJsonAsync<JsonElement[]>("/control/ground-truth?exchange=binance", ct);
        using var unknown = await http.GetAsync("/control/ground-truth?exchange=nasdaq", ct);
        using var symbolOnly = await http.GetAsync("/control/ground-truth?symbol=BTCUSDT", ct);

        Assert.Equal(simulator.GroundTruth.Count, all!.Length);
        Assert.Equal(simulator.GroundTruth.Count, binance!.Length);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, symbolOnly.StatusCode);
    }

    [Fact]
    public async Task Sessions_lists_each_connection_with_its_streams()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions(), TestRegistries.BinanceOnly, time, null, ct);
        await using var client = await BinanceTestClient.ConnectAsync(new Uri($"{simulator.BinanceWebSocketBase}/stream?streams=btcusdt@trade/ethusdt@trade"), ct);
        await Eventually.TrueAsync(() => simulator.Sessions.Count == 1, BinanceTestClient.Timeout, "the session was not listed", ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        var json = await http.GetStringAsync("/control/sessions", ct);

        var session = Assert.Single(simulator.Sessions);
        Assert.Equal(Exchange.Binance, session.Exchange);
        Assert.Equal(["btcusdt@trade", "ethusdt@trade"], session.Streams);
        Assert.Equal(time.GetUtcNow(), session.ConnectedAt);
        Assert.Equal(
            $$"""[{"exchange":"binance","id":{{session.Id}},"streams":["btcusdt@trade","ethusdt@trade"],"connected_at":{{UnixMicros.Now(time).Value}}}]""",
            json);
    }

    [Fact]
    public async Task Pause_and_resume_over_http()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = 1200 }, TestRegistries.BinanceOnly, time, null, ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var paused = await http.PostAsync("/control/pause", null, ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var whilePaused = simulator.GroundTruth.Count;
        using var resumed = await http.PostAsync("/control/resume", null, ct);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.NoContent, paused.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, resumed.StatusCode);
        Assert.Equal(0, whilePaused);
        Assert.Equal(1200, simulator.GroundTruth.Count);
    }

    [Fact]
    public async Task Drop_cuts_every_binance_connection_without_a_close_frame()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions(), TestRegistries.BinanceOnly, new ManualTimeProvider(), null, ct);
        await using var first = await BinanceTestClient.ConnectAsync(new Uri($"{simulator.BinanceWebSocketBase}/ws/btcusdt@trade"), ct);
        await using var second = await BinanceTestClient.ConnectAsync(new Uri($"{simulator.BinanceWebSocketBase}/stream"), ct);
        await Eventually.TrueAsync(() => simulator.Sessions.Count == 2, BinanceTestClient.Timeout, "both sessions were not listed", ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var response = await http.PostAsync("/control/binance/drop", null, ct);

        Assert.Equal("""{"exchange":"binance","dropped":2}""", await response.Content.ReadAsStringAsync(ct));
        Assert.True(await first.ReceiveUntilCutAsync(ct));
        Assert.True(await second.ReceiveUntilCutAsync(ct));
        await Eventually.TrueAsync(() => simulator.Sessions.Count == 0, BinanceTestClient.Timeout, "the sessions did not end", ct);
    }

    [Theory]
    [InlineData("/control/nasdaq/drop", HttpStatusCode.BadRequest)]
    public async Task Drop_on_an_unknown_exchange_is_refused(string path, HttpStatusCode status)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions(), TestRegistries.BinanceOnly, new ManualTimeProvider(), null, ct);
        using var http = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var response = await http.PostAsync(path, null, ct);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}

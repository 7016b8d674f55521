using System.Net;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Binance;

public sealed class BinanceRestTests
{
    /// <summary>100 trades per second on each of the repository's twelve Binance symbols.</summary>
    private const double TradesPerSecond = 1200;

    [Fact]
    public async Task Historical_trades_from_an_id_are_exactly_the_ground_truth_slice()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartWithTradesAsync(ct);
        using var http = new HttpClient();
        var printed = simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT");

        var body = await http.GetStringAsync(Url(simulator, $"/api/v3/historicalTrades?symbol=BTCUSDT&fromId={printed[10].TradeId}&limit=50"), ct);

        Assert.Equal(ExpectedBinanceJson.RestTrades(printed.Skip(10).Take(50), BinanceTimeUnit.Millisecond), body);
    }

    [Fact]
    public async Task Historical_trades_stop_at_the_newest_trade_and_default_to_the_most_recent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartWithTradesAsync(ct);
        using var http = new HttpClient();
        var printed = simulator.GroundTruth.For(Exchange.Binance, "ETHUSDT");

        var tail = await http.GetStringAsync(Url(simulator, $"/api/v3/historicalTrades?symbol=ETHUSDT&fromId={printed[^3].TradeId}&limit=1000"), ct);
        var recent = await http.GetStringAsync(Url(simulator, "/api/v3/historicalTrades?symbol=ETHUSDT&limit=7"), ct);
        var beyond = await http.GetStringAsync(Url(simulator, $"/api/v3/historicalTrades?symbol=ETHUSDT&fromId={printed[^1].TradeId + 1}"), ct);

        Assert.Equal(ExpectedBinanceJson.RestTrades(printed.TakeLast(3), BinanceTimeUnit.Millisecond), tail);
        Assert.Equal(ExpectedBinanceJson.RestTrades(printed.TakeLast(7), BinanceTimeUnit.Millisecond), recent);
        Assert.Equal("[]", beyond);
    }

    [Fact]
    public async Task Aggregate_trades_from_a_start_time_begin_at_the_first_trade_of_that_millisecond_and_honour_the_limit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartWithTradesAsync(ct);
        using var http = new HttpClient();
        var printed = simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT");
        // A millisecond after trade 40's: the answer starts at trade 41 (trades here lie about 10 ms apart).
        var startMs = (printed[40].TradeTime.Value / 1_000) + 1;
        printed[41].TradeTime.Value.ShouldBeGreaterThanOrEqualTo(startMs * 1_000);

        var first = await http.GetStringAsync(Url(simulator, $"/api/v3/aggTrades?symbol=BTCUSDT&startTime={startMs}&limit=1"), ct);
        var page = await http.GetStringAsync(Url(simulator, $"/api/v3/aggTrades?symbol=BTCUSDT&startTime={startMs}&limit=30"), ct);
        var atTrade = await http.GetStringAsync(Url(simulator, $"/api/v3/aggTrades?symbol=BTCUSDT&startTime={printed[50].TradeTime.Value / 1_000}&limit=1"), ct);
        var beyond = await http.GetStringAsync(Url(simulator, $"/api/v3/aggTrades?symbol=BTCUSDT&startTime={(printed[^1].TradeTime.Value / 1_000) + 1}&limit=1"), ct);

        Assert.Equal(ExpectedBinanceJson.RestAggregateTrades(printed.Skip(41).Take(1), BinanceTimeUnit.Millisecond), first);
        Assert.Equal(ExpectedBinanceJson.RestAggregateTrades(printed.Skip(41).Take(30), BinanceTimeUnit.Millisecond), page);
        Assert.Equal(ExpectedBinanceJson.RestAggregateTrades(
            printed.Where(t => t.TradeTime.Value >= printed[50].TradeTime.Value / 1_000 * 1_000).Take(1), BinanceTimeUnit.Millisecond), atTrade);
        Assert.Equal("[]", beyond);
    }

    [Fact]
    public async Task Aggregate_trades_between_two_times_include_both_milliseconds_and_follow_ids_or_the_most_recent_otherwise()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartWithTradesAsync(ct);
        using var http = new HttpClient();
        var printed = simulator.GroundTruth.For(Exchange.Binance, "ETHUSDT");
        var (startMs, endMs) = (printed[5].TradeTime.Value / 1_000, printed[25].TradeTime.Value / 1_000);

        var between = await http.GetStringAsync(Url(simulator, $"/api/v3/aggTrades?symbol=ETHUSDT&startTime={startMs}&endTime={endMs}&limit=1000"), ct);
        var byId = await http.GetStringAsync(Url(simulator, $"/api/v3/aggTrades?symbol=ETHUSDT&fromId={printed[7].TradeId}&limit=4"), ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(simulator, "/api/v3/aggTrades?symbol=ETHUSDT&limit=3"));
        request.Headers.Add("X-MBX-TIME-UNIT", "MICROSECOND");
        using var recent = await http.SendAsync(request, ct);

        var inBoth = printed.Where(t => t.TradeTime.Value / 1_000 >= startMs && t.TradeTime.Value / 1_000 <= endMs).ToList();
        inBoth.Count.ShouldBeGreaterThanOrEqualTo(21, "trades 5 to 25 and any sharing their milliseconds");
        Assert.Equal(ExpectedBinanceJson.RestAggregateTrades(inBoth, BinanceTimeUnit.Millisecond), between);
        Assert.Equal(ExpectedBinanceJson.RestAggregateTrades(printed.Skip(7).Take(4), BinanceTimeUnit.Millisecond), byId);
        Assert.Equal(ExpectedBinanceJson.RestAggregateTrades(printed.TakeLast(3), BinanceTimeUnit.Microsecond), await recent.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task Recent_trades_default_to_500_and_honour_the_limit()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = TradesPerSecond }, TestRegistries.Repository, time, null, ct);
        time.Advance(TimeSpan.FromSeconds(6));
        using var http = new HttpClient();
        var printed = simulator.GroundTruth.For(Exchange.Binance, "BTCUSDT");
        Assert.Equal(600, printed.Count);

        var byDefault = await http.GetStringAsync(Url(simulator, "/api/v3/trades?symbol=BTCUSDT"), ct);
        var limited = await http.GetStringAsync(Url(simulator, "/api/v3/trades?symbol=BTCUSDT&limit=3"), ct);

        Assert.Equal(ExpectedBinanceJson.RestTrades(printed.TakeLast(500), BinanceTimeUnit.Millisecond), byDefault);
        Assert.Equal(ExpectedBinanceJson.RestTrades(printed.TakeLast(3), BinanceTimeUnit.Millisecond), limited);
    }

    [Theory]
    [InlineData("MICROSECOND", BinanceTimeUnit.Microsecond)]
    [InlineData("microsecond", BinanceTimeUnit.Microsecond)]
    [InlineData("MILLISECOND", BinanceTimeUnit.Millisecond)]
    public async Task The_time_unit_header_selects_microseconds(string header, BinanceTimeUnit unit)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartWithTradesAsync(ct);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(simulator, "/api/v3/trades?symbol=DOGEUSDT&limit=5"));
        request.Headers.Add("X-MBX-TIME-UNIT", header);

        using var response = await http.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=UTF-8", response.Content.Headers.ContentType?.ToString());
        var printed = simulator.GroundTruth.For(Exchange.Binance, "DOGEUSDT");
        Assert.Equal(ExpectedBinanceJson.RestTrades(printed.TakeLast(5), unit), await response.Content.ReadAsStringAsync(ct));
    }

    [Theory]
    [InlineData("/api/v3/trades", """{"code":-1102,"msg":"Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."}""")]
    [InlineData("/api/v3/trades?symbol=btcusdt", """{"code":-1100,"msg":"Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'."}""")]
    [InlineData("/api/v3/trades?symbol=FOOUSDT", """{"code":-1121,"msg":"Invalid symbol."}""")]
    [InlineData("/api/v3/trades?symbol=BTCUSDT&limit=ten", """{"code":-1100,"msg":"Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'."}""")]
    [InlineData("/api/v3/trades?symbol=BTCUSDT&limit=1001", """{"code":-1102,"msg":"'limit' contains unexpected value. Cannot be greater than 1000."}""")]
    [InlineData("/api/v3/trades?symbol=BTCUSDT&limit=0", """{"code":-1130,"msg":"Data sent for parameter 'limit' is not valid."}""")]
    [InlineData("/api/v3/historicalTrades?symbol=BTCUSDT&fromId=-5", """{"code":-1100,"msg":"Illegal characters found in parameter 'fromId'; legal range is '^[0-9]{1,20}$'."}""")]
    [InlineData("/api/v3/aggTrades?symbol=BTCUSDT&startTime=yesterday", """{"code":-1100,"msg":"Illegal characters found in parameter 'startTime'; legal range is '^[0-9]{1,20}$'."}""")]
    [InlineData("/api/v3/aggTrades?symbol=BTCUSDT&startTime=1000&endTime=3601000", """{"code":-1127,"msg":"More than 1 hours between startTime and endTime."}""")]
    [InlineData("/api/v3/aggTrades?symbol=BTCUSDT&fromId=1&startTime=1000", """{"code":-1128,"msg":"Combination of optional parameters invalid."}""")]
    [InlineData("/api/v3/aggTrades?symbol=BTCUSDT&endTime=1000", """{"code":-1128,"msg":"Combination of optional parameters invalid."}""")]
    public async Task Bad_parameters_get_Binance_errors_with_400(string pathAndQuery, string error)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartWithTradesAsync(ct);
        using var http = new HttpClient();

        using var response = await http.GetAsync(Url(simulator, pathAndQuery), ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, await response.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task An_unknown_time_unit_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await StartWithTradesAsync(ct);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(simulator, "/api/v3/trades?symbol=BTCUSDT"));
        request.Headers.Add("X-MBX-TIME-UNIT", "SECOND");

        using var response = await http.SendAsync(request, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"code":-1194,"msg":"Invalid value for time unit; expected either MICROSECOND or MILLISECOND."}""",
            await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>A simulator that printed two seconds of trades with nobody listening: REST has them all.</summary>
    private static async Task<ExchangeSimulator> StartWithTradesAsync(CancellationToken cancellationToken)
    {
        var time = new ManualTimeProvider();
        var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = TradesPerSecond }, TestRegistries.Repository, time, null, cancellationToken);
        time.Advance(TimeSpan.FromSeconds(2));
        return simulator;
    }

    private static Uri Url(ExchangeSimulator simulator, string pathAndQuery) => new($"{simulator.BinanceRestBase}{pathAndQuery}");
}

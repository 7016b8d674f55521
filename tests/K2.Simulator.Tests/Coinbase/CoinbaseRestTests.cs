using System.Globalization;
using System.Net;
using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Trades;
using K2.Testing;

namespace K2.Simulator.Tests.Coinbase;

public sealed class CoinbaseRestTests
{
    private static readonly TimeSpan ThreeSeconds = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData(CoinbaseSideConvention.Taker)]
    [InlineData(CoinbaseSideConvention.Maker)]
    public async Task Paging_back_by_time_window_covers_the_ground_truth_exactly(CoinbaseSideConvention sides)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct, o => o.CoinbaseSideConvention = sides);
        time.Advance(ThreeSeconds);
        simulator.Pause();
        using var http = new HttpClient();
        var instrument = Instrument("LINK-USD");

        // Newest first, at most `limit`, with time < end: the next page ends where this one's oldest trade is.
        var collected = new List<Trade>();
        var end = UnixMicros.Now(time).Value + 1;
        for (var pages = 0; pages < 10; pages++)
        {
            var body = await http.GetByteArrayAsync(Ticker(simulator, "LINK-USD", $"limit=70&start={Seconds(0)}&end={Seconds(end)}"), ct);
            List<Trade> page = [];
            List<TradeRejection> rejections = [];
            Assert.True(CoinbaseRestTradesParser.TryParse(body, instrument, sides, UnixMicros.Now(time), page, rejections));
            Assert.Empty(rejections);
            Assert.Equal(page.OrderByDescending(t => t.ExchangeTime), page);
            collected.AddRange(page);
            if (page.Count < 70)
            {
                break;
            }

            end = page[^1].ExchangeTime.Value;
        }

        var printed = simulator.GroundTruth.For(Exchange.Coinbase, "LINK-USD");
        Assert.Equal(300, printed.Count);
        CoinbaseWebSocketTests.ShouldBeTheGroundTruth(collected, printed);
    }

    [Fact]
    public async Task A_page_is_Coinbase_s_JSON_with_the_newest_trade_first_and_a_quote_around_the_last_price()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct);
        time.Advance(ThreeSeconds);
        using var http = new HttpClient();

        using var response = await http.GetAsync(Ticker(simulator, "XRP-USD", "limit=2"), ct);

        var printed = simulator.GroundTruth.For(Exchange.Coinbase, "XRP-USD");
        var last = printed[^1];
        var tick = 0.0001m;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            $$"""{"trades":[{{ExpectedCoinbaseJson.RestTrade(last, CoinbaseSideConvention.Taker)}},{{ExpectedCoinbaseJson.RestTrade(printed[^2], CoinbaseSideConvention.Taker)}}],"best_bid":"{{(last.Price - tick).ToString(CultureInfo.InvariantCulture)}}","best_ask":"{{(last.Price + tick).ToString(CultureInfo.InvariantCulture)}}"}""",
            await response.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task Start_and_end_select_a_half_open_window_to_the_microsecond()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct);
        time.Advance(ThreeSeconds);
        using var http = new HttpClient();
        var printed = simulator.GroundTruth.For(Exchange.Coinbase, "DOT-USD");

        var body = await http.GetByteArrayAsync(
            Ticker(simulator, "DOT-USD", $"limit=1000&start={Seconds(printed[10].TradeTime.Value)}&end={Seconds(printed[20].TradeTime.Value)}"), ct);

        List<Trade> trades = [];
        Assert.True(CoinbaseRestTradesParser.TryParse(body, Instrument("DOT-USD"), CoinbaseSideConvention.Taker, UnixMicros.Now(time), trades, []));
        Assert.Equal(printed.Skip(10).Take(10).Reverse().Select(t => t.TradeId), trades.Select(t => t.TradeId.Number));
    }

    [Fact]
    public async Task A_USDC_product_id_serves_the_USD_book()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(time, ct);
        time.Advance(ThreeSeconds);
        using var http = new HttpClient();

        var usdc = await http.GetStringAsync(Ticker(simulator, "BTC-USDC", "limit=1000"), ct);
        var usd = await http.GetStringAsync(Ticker(simulator, "BTC-USD", "limit=1000"), ct);

        Assert.Equal(usd, usdc);
        Assert.DoesNotContain("USDC", usdc, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BTC-USD", "", HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "limit is required")]
    [InlineData("BTC-USD", "limit=0", HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "limit must be an integer from 1 to 1000")]
    [InlineData("BTC-USD", "limit=1001", HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "limit must be an integer from 1 to 1000")]
    [InlineData("BTC-USD", "limit=ten", HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "limit must be an integer from 1 to 1000")]
    [InlineData("BTC-USD", "limit=-5", HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "limit must be an integer from 1 to 1000")]
    [InlineData("BTC-USD", "limit=5&start=yesterday", HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "start must be a UNIX time in seconds")]
    [InlineData("BTC-USD", "limit=5&end=-1", HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "end must be a UNIX time in seconds")]
    [InlineData("BTC-USD", "limit=5&start=1795305602&end=1795305601", HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "start must not be after end")]
    [InlineData("NOPE-USD", "limit=5", HttpStatusCode.NotFound, "NOT_FOUND", "product not found")]
    [InlineData("BTCUSDT", "limit=5", HttpStatusCode.NotFound, "NOT_FOUND", "product not found")]
    public async Task Bad_requests_get_Coinbase_style_errors(string product, string query, HttpStatusCode status, string error, string message)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await CoinbaseWebSocketTests.StartAsync(new ManualTimeProvider(), ct);
        using var http = new HttpClient();

        using var response = await http.GetAsync(Ticker(simulator, product, query), ct);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal($$"""{"error":"{{error}}","error_details":"{{message}}","message":"{{message}}"}""", await response.Content.ReadAsStringAsync(ct));
        List<Trade> trades = [];
        Assert.False(CoinbaseRestTradesParser.TryParse(await response.Content.ReadAsByteArrayAsync(ct), Instrument("BTC-USD"), default, default, trades, []));
    }

    internal static Uri Ticker(ExchangeSimulator simulator, string product, string query) =>
        new($"{simulator.CoinbaseRestBase}{CoinbaseEndpoints.TickerPath(product)}{(query.Length == 0 ? "" : "?" + query)}");

    /// <summary>UNIX seconds with six decimals for a time in µs since the epoch (0: the epoch itself).</summary>
    internal static string Seconds(long micros) => (micros / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);

    private static K2.Core.Instruments.Instrument Instrument(string symbol) =>
        CoinbaseWebSocketTests.Registry.ForExchange(Exchange.Coinbase).Single(i => i.ExchangeSymbol == symbol);
}

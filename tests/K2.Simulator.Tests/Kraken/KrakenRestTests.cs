using System.Globalization;
using System.Net;
using System.Text;
using K2.Core;
using K2.Core.Exchanges.Kraken;
using K2.Core.Trades;
using K2.Simulator.Tests.Support;
using K2.Testing;

namespace K2.Simulator.Tests.Kraken;

public sealed class KrakenRestTests
{
    /// <summary>100 trades per second on each of the repository's eleven Kraken symbols.</summary>
    private const double TradesPerSecond = 1100;

    [Fact]
    public async Task Paging_with_since_and_the_last_cursor_covers_the_ground_truth_exactly()
    {
        var ct = TestContext.Current.CancellationToken;
        var (simulator, time) = await StartWithTradesAsync(TimeSpan.FromSeconds(5), ct);
        await using var _ = simulator;
        using var http = new HttpClient();
        var btc = KrakenWebSocketTests.Kraken("BTC-USD");
        var printed = simulator.GroundTruth.For(Exchange.Kraken, "BTC/USD");
        Assert.Equal(500, printed.Count);

        var collected = new List<Trade>();
        var since = "0";
        var pages = 0;
        while (true)
        {
            var body = await http.GetByteArrayAsync(Url(simulator, $"/0/public/Trades?pair=XBTUSD&since={since}&count=120"), ct);
            var page = KrakenRestTradesParser.Parse(body, btc, UnixMicros.Now(time), collected, []);
            Assert.Equal(KrakenRestOutcome.Trades, page.Outcome);
            if (page.TradeCount == 0)
            {
                Assert.Equal(since, page.Last);
                break;
            }

            Assert.Equal(ExpectedKrakenJson.Nanoseconds(printed[collected.Count - 1]), page.LastNanoseconds);
            since = page.Last!;
            pages++;
        }

        Assert.Equal(5, pages); // 120 + 120 + 120 + 120 + 20
        Assert.Equal(printed.Count, collected.Count);
        for (var i = 0; i < printed.Count; i++)
        {
            Assert.Same(btc, collected[i].Instrument);
            Assert.Equal(printed[i].TradeId, collected[i].TradeId.Number);
            Assert.Equal(printed[i].Price, collected[i].Price);
            Assert.Equal(printed[i].Quantity, collected[i].Quantity);
            Assert.Equal(printed[i].TakerSide, collected[i].Side);
            Assert.Equal(printed[i].TradeTime, collected[i].ExchangeTime);
        }
    }

    [Fact]
    public async Task A_page_is_exactly_Krakens_shape_under_the_legacy_key()
    {
        var ct = TestContext.Current.CancellationToken;
        var (simulator, _) = await StartWithTradesAsync(TimeSpan.FromSeconds(1), ct);
        await using var _ = simulator;
        using var http = new HttpClient();
        var btc = KrakenWebSocketTests.Kraken("BTC-USD");
        var printed = simulator.GroundTruth.For(Exchange.Kraken, "BTC/USD");
        var since = ExpectedKrakenJson.Nanoseconds(printed[9]);

        using var response = await http.GetAsync(Url(simulator, $"/0/public/Trades?pair=XBTUSD&since={since}&count=3"), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(
            ExpectedKrakenJson.RestPage("XXBTZUSD", btc, printed.Skip(10).Take(3), ExpectedKrakenJson.Nanoseconds(printed[12])),
            await response.Content.ReadAsStringAsync(ct));
    }

    [Fact]
    public async Task Without_since_the_most_recent_count_trades_come_oldest_first()
    {
        var ct = TestContext.Current.CancellationToken;
        var (simulator, _) = await StartWithTradesAsync(TimeSpan.FromSeconds(2), ct);
        await using var _ = simulator;
        using var http = new HttpClient();
        var eth = KrakenWebSocketTests.Kraken("ETH-USD");
        var printed = simulator.GroundTruth.For(Exchange.Kraken, "ETH/USD");

        var all = await http.GetStringAsync(Url(simulator, "/0/public/Trades?pair=ETHUSD"), ct);
        var recent = await http.GetStringAsync(Url(simulator, "/0/public/Trades?pair=ETHUSD&count=7"), ct);

        Assert.Equal(ExpectedKrakenJson.RestPage("XETHZUSD", eth, printed, ExpectedKrakenJson.Nanoseconds(printed[^1])), all);
        Assert.Equal(ExpectedKrakenJson.RestPage("XETHZUSD", eth, printed.TakeLast(7), ExpectedKrakenJson.Nanoseconds(printed[^1])), recent);
    }

    [Theory]
    [InlineData("XBTUSD", "XXBTZUSD", "BTC/USD")]
    [InlineData("XXBTZUSD", "XXBTZUSD", "BTC/USD")]
    [InlineData("BTC/USD", "BTC/USD", "BTC/USD")]
    [InlineData("ETHUSD", "XETHZUSD", "ETH/USD")]
    [InlineData("XDGUSD", "XDGUSD", "DOGE/USD")]
    [InlineData("SOLUSD", "SOLUSD", "SOL/USD")]
    [InlineData("LTCUSD", "XLTCZUSD", "LTC/USD")]
    [InlineData("XBTEUR", "XXBTZEUR", "BTC/EUR")]
    public async Task Each_pair_is_answered_under_Krakens_key_for_it(string pair, string key, string symbol)
    {
        var ct = TestContext.Current.CancellationToken;
        var (simulator, time) = await StartWithTradesAsync(TimeSpan.FromSeconds(1), ct);
        await using var _ = simulator;
        using var http = new HttpClient();

        var body = await http.GetStringAsync(Url(simulator, $"/0/public/Trades?pair={Uri.EscapeDataString(pair)}&count=2"), ct);

        Assert.StartsWith($$"""{"error":[],"result":{"{{key}}":[[""", body, StringComparison.Ordinal);
        Assert.True(KrakenSymbols.TryGetInstrument(TestRegistries.Repository, symbol, out var instrument));
        List<Trade> trades = [];
        var page = KrakenRestTradesParser.Parse(Encoding.UTF8.GetBytes(body), instrument, UnixMicros.Now(time), trades, []);
        Assert.Equal(2, page.TradeCount);
        Assert.Equal(simulator.GroundTruth.For(Exchange.Kraken, symbol).TakeLast(2).Select(t => t.TradeId), trades.Select(t => t.TradeId.Number));
    }

    [Fact]
    public async Task A_since_past_the_newest_trade_gives_an_empty_page_that_keeps_the_cursor()
    {
        var ct = TestContext.Current.CancellationToken;
        var (simulator, _) = await StartWithTradesAsync(TimeSpan.FromSeconds(1), ct);
        await using var _ = simulator;
        using var http = new HttpClient();
        var newest = ExpectedKrakenJson.Nanoseconds(simulator.GroundTruth.For(Exchange.Kraken, "SOL/USD")[^1]);
        var seconds = newest / 1_000_000_000 + 10;

        var byCursor = await http.GetStringAsync(Url(simulator, $"/0/public/Trades?pair=SOLUSD&since={newest}"), ct);
        var bySeconds = await http.GetStringAsync(Url(simulator, $"/0/public/Trades?pair=SOLUSD&since={seconds}"), ct);

        Assert.Equal($$$"""{"error":[],"result":{"SOLUSD":[],"last":"{{{newest}}}"}}""", byCursor);
        Assert.Equal($$$"""{"error":[],"result":{"SOLUSD":[],"last":"{{{seconds * 1_000_000_000}}}"}}""", bySeconds);
    }

    [Fact]
    public async Task Since_in_seconds_with_a_fraction_is_exact_to_the_nanosecond()
    {
        var ct = TestContext.Current.CancellationToken;
        var (simulator, _) = await StartWithTradesAsync(TimeSpan.FromSeconds(1), ct);
        await using var _ = simulator;
        using var http = new HttpClient();
        var printed = simulator.GroundTruth.For(Exchange.Kraken, "ADA/USD");
        var cursor = printed[4].TradeTime.Value;
        var seconds = string.Create(CultureInfo.InvariantCulture, $"{cursor / 1_000_000}.{cursor % 1_000_000:D6}");

        var body = await http.GetStringAsync(Url(simulator, $"/0/public/Trades?pair=ADAUSD&since={seconds}&count=1"), ct);

        Assert.Contains($",{printed[5].TradeId}]]", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/0/public/Trades?pair=FOOUSD", """{"error":["EQuery:Unknown asset pair"]}""")]
    [InlineData("/0/public/Trades?pair=XBT%2FUSD", """{"error":["EQuery:Unknown asset pair"]}""")]
    [InlineData("/0/public/Trades", """{"error":["EGeneral:Invalid arguments"]}""")]
    [InlineData("/0/public/Trades?pair=XBTUSD&count=0", """{"error":["EGeneral:Invalid arguments"]}""")]
    [InlineData("/0/public/Trades?pair=XBTUSD&count=1001", """{"error":["EGeneral:Invalid arguments"]}""")]
    [InlineData("/0/public/Trades?pair=XBTUSD&count=ten", """{"error":["EGeneral:Invalid arguments"]}""")]
    [InlineData("/0/public/Trades?pair=XBTUSD&since=-1", """{"error":["EGeneral:Invalid arguments"]}""")]
    [InlineData("/0/public/Trades?pair=XBTUSD&since=yesterday", """{"error":["EGeneral:Invalid arguments"]}""")]
    public async Task Bad_requests_get_Krakens_errors_with_HTTP_200(string pathAndQuery, string error)
    {
        var ct = TestContext.Current.CancellationToken;
        var (simulator, time) = await StartWithTradesAsync(TimeSpan.Zero, ct);
        await using var _ = simulator;
        using var http = new HttpClient();

        using var response = await http.GetAsync(Url(simulator, pathAndQuery), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.Equal(error, body);
        var page = KrakenRestTradesParser.Parse(Encoding.UTF8.GetBytes(body), KrakenWebSocketTests.Kraken("BTC-USD"), UnixMicros.Now(time), [], []);
        Assert.Equal(error.Contains("Unknown asset pair", StringComparison.Ordinal) ? KrakenRestOutcome.UnknownPair : KrakenRestOutcome.Error, page.Outcome);
    }

    /// <summary>A simulator that printed for <paramref name="duration"/> with nobody listening: REST has every trade.</summary>
    private static async Task<(ExchangeSimulator, ManualTimeProvider)> StartWithTradesAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var time = new ManualTimeProvider();
        var simulator = await ExchangeSimulator.StartAsync(
            new SimulatorOptions { TradesPerSecond = TradesPerSecond }, TestRegistries.Repository, time, null, cancellationToken);
        time.Advance(duration);
        return (simulator, time);
    }

    private static Uri Url(ExchangeSimulator simulator, string pathAndQuery) => new($"{simulator.KrakenRestBase}{pathAndQuery}");
}

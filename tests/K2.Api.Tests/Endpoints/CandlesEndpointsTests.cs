using System.Net;
using System.Text.Json;
using K2.Api.Tests.Support;
using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Storage.Writers;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Api.Tests.Endpoints;

public sealed class CandlesEndpointsTests(ApiFactory factory)
{
    /// <summary>Two hours ago, on a whole hour: recent, since ohlcv drops rows older than 30 days on the real clock.</summary>
    private static readonly UnixMicros Hour = Timeframe.OneHour.BucketStart(UnixMicros.FromDateTimeOffset(TimeProvider.System.GetUtcNow().AddHours(-2)));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Iso(UnixMicros time) => time.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Serves_the_latest_version_of_each_candle_with_exact_values_and_pages_by_bucket()
    {
        var dot = Instrument("DOT-USDT");
        var minute = Timeframe.OneMinute.DurationMicros();
        var candles = new List<Candle>();
        for (var i = 0; i < 5; i++)
        {
            var aggregate = new CandleAggregate();
            var at = new UnixMicros(Hour.Value + (i * minute) + 5);
            aggregate.Add(new Trade(dot, TradeId.FromNumber(10 + i), 5.12345678m, 9_999_999_999.99999999m, TradeSide.Buy, at, at));
            aggregate.Add(new Trade(dot, TradeId.FromNumber(20 + i), 6m, 0.00000001m, TradeSide.Sell, at, at));
            candles.Add(Candle.Of(dot, Timeframe.OneMinute, Timeframe.OneMinute.BucketStart(at), aggregate, version: 2));
        }

        var stale = new CandleAggregate();
        stale.Add(new Trade(dot, TradeId.FromNumber(1), 1m, 1m, TradeSide.Buy, Hour, Hour));
        candles.Add(Candle.Of(dot, Timeframe.OneMinute, Hour, stale, version: 1)); // an older version of the first bucket
        await StoreAsync(candles);

        var to = Iso(new UnixMicros(Hour.Value + (10 * minute)));
        var page = await GetJsonAsync($"/v1/candles?exchange=binance&symbol=DOT-USDT&timeframe=1m&from={Iso(Hour)}&to={to}&limit=3");

        var served = page.GetProperty("candles").EnumerateArray().ToList();
        served.Count.ShouldBe(3);
        served.Select(c => c.GetProperty("bucket_start").GetString()).ShouldBe(
            Enumerable.Range(0, 3).Select(i => new UnixMicros(Hour.Value + (i * minute)).ToString()));
        var first = served[0];
        first.GetProperty("open").GetString().ShouldBe("5.12345678");
        first.GetProperty("close").GetString().ShouldBe("6");
        first.GetProperty("volume").GetString().ShouldBe("10000000000");
        first.GetProperty("quote_volume").GetString().ShouldBe("51234567800.0000000087654322"); // 5.12345678 × 9,999,999,999.99999999 + 6 × 0.00000001, exactly
        first.GetProperty("trade_count").GetInt64().ShouldBe(2);
        first.GetProperty("version").GetInt64().ShouldBe(2);
        first.GetProperty("timeframe").GetString().ShouldBe("1m");

        var next = page.GetProperty("next_cursor").GetString()!;
        var second = await GetJsonAsync($"/v1/candles?exchange=binance&symbol=DOT-USDT&timeframe=1m&from={Iso(Hour)}&to={to}&limit=3&cursor={next}");
        second.GetProperty("candles").EnumerateArray().Select(c => c.GetProperty("bucket_start").GetString())
            .ShouldBe(Enumerable.Range(3, 2).Select(i => new UnixMicros(Hour.Value + (i * minute)).ToString()));
        second.GetProperty("next_cursor").ValueKind.ShouldBe(JsonValueKind.Null);

        // Without a range, the newest candles come first, and the cursor continues towards older ones.
        var newest = await GetJsonAsync("/v1/candles?exchange=binance&symbol=DOT-USDT&timeframe=1m&limit=2");
        newest.GetProperty("candles").EnumerateArray().Select(c => c.GetProperty("bucket_start").GetString())
            .ShouldBe([new UnixMicros(Hour.Value + (4 * minute)).ToString(), new UnixMicros(Hour.Value + (3 * minute)).ToString()]);
        var older = await GetJsonAsync($"/v1/candles?exchange=binance&symbol=DOT-USDT&timeframe=1m&limit=2&cursor={newest.GetProperty("next_cursor").GetString()}");
        older.GetProperty("candles").EnumerateArray().Select(c => c.GetProperty("bucket_start").GetString())
            .ShouldBe([new UnixMicros(Hour.Value + (2 * minute)).ToString(), new UnixMicros(Hour.Value + minute).ToString()]);
    }

    [Theory]
    [InlineData("exchange=binance&symbol=BTC-USDT&timeframe=2m", "timeframe")]
    [InlineData("exchange=binance&symbol=BTC-USDT", "timeframe")]
    [InlineData("exchange=binance&symbol=BTC-USDT&timeframe=1m&from=2026-11-22T10:00:00", "from")]
    [InlineData("exchange=binance&symbol=BTC-USDT&timeframe=1m&from=2026-11-22T10:00:00Z&to=2026-11-22T09:00:00Z", "from")]
    [InlineData("exchange=binance&symbol=BTC-USDT&timeframe=1m&limit=5001", "limit")]
    [InlineData("exchange=binance&symbol=BTC-USDT&timeframe=1m&interval=1m", "interval")]
    [InlineData("exchange=binance&symbol=BTC-USDT&timeframe=1m&cursor=AQAAAAAAAAAAAAAAAAAAAAAA", "cursor")]
    [InlineData("exchange=binance&symbol=BTC-USDT&timeframe=1m&from=1969-12-31T23:59:59Z", "from")]
    public async Task A_bad_query_is_a_problem_naming_the_parameter(string queryString, string parameter)
    {
        using var response = await factory.CreateClient().GetAsync($"/v1/candles?{queryString}", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        problem.GetProperty("errors").TryGetProperty(parameter, out _).ShouldBeTrue(problem.ToString());
    }

    private Instrument Instrument(string symbol) =>
        factory.Services.GetRequiredService<InstrumentRegistry>().TryGet(Exchange.Binance, symbol, out var instrument)
            ? instrument
            : throw new InvalidOperationException(symbol);

    private async Task StoreAsync(IReadOnlyList<Candle> candles)
    {
        var writer = factory.Services.GetRequiredService<BatchedTableWriter<Candle>>();
        foreach (var candle in candles)
        {
            await writer.WriteAsync(candle, Ct);
        }

        await writer.WhenWrittenAsync(Ct);
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await factory.CreateClient().GetAsync(path, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
    }
}

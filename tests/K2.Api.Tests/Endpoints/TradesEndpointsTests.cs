using System.Net;
using System.Text.Json;
using K2.Api.Tests.Support;
using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Grains.Instruments;
using K2.Storage.Writers;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Api.Tests.Endpoints;

public sealed class TradesEndpointsTests(ApiFactory factory)
{
    /// <summary>
    /// An hour ago by the real clock: silver_trades drops rows older than 30 days in merges that run on the real clock,
    /// so sample trades must be recent. Nothing asserts on the time itself.
    /// </summary>
    private static readonly UnixMicros Start = UnixMicros.FromDateTimeOffset(TimeProvider.System.GetUtcNow().AddHours(-1));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Returns_the_newest_trades_of_one_instrument_with_exact_values()
    {
        var eth = Instrument("ETH-USDT");
        var trades = Enumerable.Range(1, 50).Select(i => new Trade(
            eth, TradeId.FromNumber(5_000 + i), 3_000m + (i / 100_000_000m), 0.5m * i, i % 2 == 0 ? TradeSide.Buy : TradeSide.Sell,
            new UnixMicros(Start.Value + (i * 1_000_001)), new UnixMicros(Start.Value + (i * 1_000_001) + 250))).ToList();
        await StoreAsync(trades);

        var served = (await GetJsonAsync("/v1/trades?exchange=binance&symbol=ETH-USDT&limit=10")).GetProperty("trades").EnumerateArray().ToList();

        served.Count.ShouldBe(10);
        served.Select(t => t.GetProperty("trade_id").GetString()).ShouldBe(Enumerable.Range(41, 10).Reverse().Select(i => (5_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var newest = served[0];
        newest.GetProperty("exchange").GetString().ShouldBe("binance");
        newest.GetProperty("symbol").GetString().ShouldBe("ETH-USDT");
        newest.GetProperty("raw_symbol").GetString().ShouldBe("ETHUSDT");
        newest.GetProperty("price").GetString().ShouldBe("3000.0000005");
        newest.GetProperty("quantity").GetString().ShouldBe("25");
        newest.GetProperty("side").GetString().ShouldBe("buy");
        newest.GetProperty("exchange_ts").GetString().ShouldBe(trades[^1].ExchangeTime.ToString());
        newest.GetProperty("receipt_ts").GetString().ShouldBe(trades[^1].ReceiptTime.ToString());
        newest.GetProperty("exchange_ts").GetString()!.ShouldMatch(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$");
    }

    [Fact]
    public async Task Pages_through_a_range_oldest_first_and_the_newest_trades_newest_first_with_cursors()
    {
        var xrp = Instrument("XRP-USDT");
        // Trades 1..23, three sharing each exchange time, and ids 9 and 10 sharing one so numeric order must hold (9 < 10).
        var trades = Enumerable.Range(1, 23).Select(i => new Trade(
            xrp, TradeId.FromNumber(i), 0.5m + i, 1m, TradeSide.Buy,
            new UnixMicros(Start.Value + (i / 3 * 1_000_000)), new UnixMicros(Start.Value + (i / 3 * 1_000_000) + 7))).ToList();
        await StoreAsync(trades);
        var range = $"exchange=binance&symbol=XRP-USDT&from={Iso(Start)}&to={Iso(new UnixMicros(Start.Value + 60_000_000))}";

        var ascending = await PageAllAsync($"/v1/trades?{range}&limit=5");
        var newestFirst = await PageAllAsync("/v1/trades?exchange=binance&symbol=XRP-USDT&limit=4");

        ascending.Pages.ShouldBe(5); // 5 + 5 + 5 + 5 + 3, the last page without a cursor
        ascending.Ids.ShouldBe(Enumerable.Range(1, 23).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        newestFirst.Pages.ShouldBe(6);
        newestFirst.Ids.ShouldBe(Enumerable.Range(1, 23).Reverse().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task The_latest_trades_from_an_instrument_grains_memory_are_the_stores_answer_and_their_cursor_continues_into_the_store()
    {
        var bnb = Instrument("BNB-USDT");
        var trades = Enumerable.Range(1, 20).Select(i => new Trade(
            bnb, TradeId.FromNumber(i), 600m + (i / 1_000m), 0.125m * i, i % 3 == 0 ? TradeSide.Buy : TradeSide.Sell,
            new UnixMicros(Start.Value + (i / 2 * 1_000_000)), new UnixMicros(Start.Value + (i / 2 * 1_000_000) + 30))).ToList();
        await StoreAsync(trades[..8]); // stored before the grain's activation
        var windows = factory.Services.GetRequiredService<LatestTradeWindows>();
        var counted = factory.Services.GetRequiredService<CountingLatestTrades>();
        var window = windows.Open(Exchange.Binance, bnb.Symbol);
        window.CompleteAfter(trades[7].ExchangeTime);
        window.MayMissTrades(false);
        foreach (var trade in trades[8..])
        {
            window.Add(trade); // as the grain hands them to the writer
        }

        await StoreAsync(trades[8..]);
        const string Latest = "/v1/trades?exchange=binance&symbol=BNB-USDT&limit=10";

        var answeredBefore = counted.Answered;
        var fromMemory = await GetTextAsync(Latest);
        var memoryPages = await PageAllAsync(Latest);
        var memoryAnswers = counted.Answered - answeredBefore;
        var deeper = await GetTextAsync("/v1/trades?exchange=binance&symbol=BNB-USDT&limit=13");
        windows.Close(Exchange.Binance, bnb.Symbol, window);
        var fromStore = await GetTextAsync(Latest);

        memoryAnswers.ShouldBe(1, "the first page, kept for the paging's first request; the rest come from the store");
        counted.Answered.ShouldBe(answeredBefore + 1, "13 reach below the trades the grain saw: the store answers");
        fromMemory.ShouldBe(fromStore);
        memoryPages.Ids.ShouldBe(Enumerable.Range(1, 20).Reverse().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        JsonDocument.Parse(deeper).RootElement.GetProperty("trades").GetArrayLength().ShouldBe(13);
    }

    [Fact]
    public async Task A_page_of_latest_trades_kept_from_memory_is_written_again_when_a_trade_lands_and_left_when_memory_is_unsure()
    {
        var dot = Instrument("DOT-USDT");
        var trades = Enumerable.Range(1, 6).Select(i => new Trade(
            dot, TradeId.FromNumber(i), 7m + (i / 100m), 1m, TradeSide.Buy, new UnixMicros(Start.Value + (i * 1_000)), new UnixMicros(Start.Value + (i * 1_000) + 7))).ToList();
        var windows = factory.Services.GetRequiredService<LatestTradeWindows>();
        var counted = factory.Services.GetRequiredService<CountingLatestTrades>();
        var window = windows.Open(Exchange.Binance, dot.Symbol);
        window.CompleteAfter(new UnixMicros(Start.Value));
        window.MayMissTrades(false);
        foreach (var trade in trades[..5])
        {
            window.Add(trade);
        }

        await StoreAsync(trades[..5]);
        const string Latest = "/v1/trades?exchange=binance&symbol=DOT-USDT&limit=3";

        var before = counted.Answered;
        var first = await GetTextAsync(Latest);
        using var againResponse = await factory.CreateClient().GetAsync(Latest, Ct);
        var again = await againResponse.Content.ReadAsStringAsync(Ct);
        var answersForTwo = counted.Answered - before;
        window.Add(trades[5]);
        await StoreAsync(trades[5..]);
        var afterLanding = await GetTextAsync(Latest);
        window.MayMissTrades(true);
        var unsure = await GetTextAsync(Latest);
        window.MayMissTrades(false);
        windows.Close(Exchange.Binance, dot.Symbol, window);
        var fromStore = await GetTextAsync(Latest);

        answersForTwo.ShouldBe(1, "the second request finds the page kept");
        again.ShouldBe(first);
        againResponse.Content.Headers.ContentType!.ToString().ShouldBe("application/json; charset=utf-8", "as a page written per request");
        Ids(first).ShouldBe(["5", "4", "3"]);
        Ids(afterLanding).ShouldBe(["6", "5", "4"]);
        counted.Answered.ShouldBe(before + 2, "after the landing memory answers once more; unsure, the store answers");
        unsure.ShouldBe(fromStore);
        afterLanding.ShouldBe(fromStore, "the page from memory is byte for byte the store's");

        static string[] Ids(string json) =>
            [.. JsonDocument.Parse(json).RootElement.GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("trade_id").GetString()!)];
    }

    [Fact]
    public async Task A_cursor_used_with_another_query_is_a_400_naming_the_cursor()
    {
        var ada = Instrument("ADA-USDT");
        await StoreAsync([.. Enumerable.Range(1, 3).Select(i => new Trade(ada, TradeId.FromNumber(i), 1m, 1m, TradeSide.Sell, new UnixMicros(Start.Value + i), new UnixMicros(Start.Value + i)))]);
        var cursor = (await GetJsonAsync("/v1/trades?exchange=binance&symbol=ADA-USDT&limit=1")).GetProperty("next_cursor").GetString();

        using var otherSymbol = await factory.CreateClient().GetAsync($"/v1/trades?exchange=binance&symbol=BTC-USDT&limit=1&cursor={cursor}", Ct);
        using var otherDirection = await factory.CreateClient().GetAsync($"/v1/trades?exchange=binance&symbol=ADA-USDT&from={Iso(Start)}&cursor={cursor}", Ct);

        foreach (var response in new[] { otherSymbol, otherDirection })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors");
            errors.GetProperty("cursor")[0].GetString().ShouldBe(
                "'cursor' belongs to another query: repeat the exchange, symbol, timeframe, from and to of the query that gave it.");
        }
    }

    [Fact]
    public async Task A_trade_stored_twice_is_served_once()
    {
        var sol = Instrument("SOL-USDT");
        var trade = new Trade(sol, TradeId.FromNumber(77), 150.25m, 2m, TradeSide.Sell, Start, Start);
        await StoreAsync([trade]);
        await StoreAsync([trade]);

        var served = (await GetJsonAsync("/v1/trades?exchange=binance&symbol=SOL-USDT")).GetProperty("trades").EnumerateArray().ToList();

        served.Count(t => t.GetProperty("trade_id").GetString() == "77").ShouldBe(1);
    }

    [Fact]
    public async Task An_instrument_without_trades_returns_an_empty_list()
    {
        var body = await GetJsonAsync("/v1/trades?exchange=coinbase&symbol=BCH-USD");

        body.GetProperty("trades").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("/v1/trades?symbol=BTC-USDT", "exchange")]
    [InlineData("/v1/trades?exchange=binance", "symbol")]
    [InlineData("/v1/trades?exchange=nasdaq&symbol=BTC-USDT", "exchange")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USD", "symbol")]
    [InlineData("/v1/trades?exchange=binance&symbol=btc-usdt", "symbol")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&limit=0", "limit")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&limit=10001", "limit")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&limit=ten", "limit")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&limit=-5", "limit")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&limit=1&limit=2", "limit")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&limt=5", "limt")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&limit=99999999999", "limit")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&from=2026-11-22", "from")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&from=yesterday", "from")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&to=2300-01-01T00:00:00Z", "to")]
    [InlineData("/v1/trades?exchange=2&symbol=BTC-USDT", "exchange")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&cursor=not*base64", "cursor")]
    [InlineData("/v1/trades?exchange=binance&symbol=BTC-USDT&from=2026-11-22T10:00:00Z&to=2026-11-22T10:00:00Z", "from")]
    public async Task A_bad_parameter_is_a_400_problem_naming_it(string path, string parameter)
    {
        using var response = await factory.CreateClient().GetAsync(path, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors");
        errors.TryGetProperty(parameter, out var messages).ShouldBeTrue($"errors should name '{parameter}': {errors}");
        messages[0].GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Every_problem_in_a_request_is_reported_at_once()
    {
        using var response = await factory.CreateClient().GetAsync("/v1/trades?exchange=nasdaq&limit=abc", Ct);

        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors");
        errors.EnumerateObject().Select(p => p.Name).Order().ShouldBe(["exchange", "limit", "symbol"]);
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        using var response = await factory.CreateClient().GetAsync("/v1/nothing-here", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Every_problem_including_unbindable_values_is_reported_at_once()
    {
        using var response = await factory.CreateClient().GetAsync("/v1/trades?exchange=binance&symbol=BTC-USDT&from=yesterday&limit=1&limit=2&limt=3", Ct);

        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors");
        errors.GetProperty("from")[0].GetString().ShouldBe(
            "'yesterday' is not valid for 'from': expected an ISO 8601 time with Z or an offset from 1970 to 2199, e.g. 2026-11-22T10:00:00Z.");
        errors.GetProperty("limit")[0].GetString().ShouldBe("'limit' is given 2 times; give it once.");
        errors.GetProperty("limt")[0].GetString().ShouldBe("Unknown parameter 'limt'. Allowed: exchange, symbol, from, to, limit, cursor, format.");
    }

    private static string Iso(UnixMicros time) => time.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Follows next_cursor to the end; the trade ids in the order served, and the number of pages.</summary>
    private async Task<(List<string> Ids, int Pages)> PageAllAsync(string firstPage)
    {
        var ids = new List<string>();
        var pages = 0;
        for (string? cursor = null; pages == 0 || cursor is not null;)
        {
            var page = await GetJsonAsync(cursor is null ? firstPage : $"{firstPage}&cursor={cursor}");
            ids.AddRange(page.GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("trade_id").GetString()!));
            cursor = page.GetProperty("next_cursor").GetString();
            pages++;
        }

        return (ids, pages);
    }

    private Instrument Instrument(string symbol)
    {
        factory.Services.GetRequiredService<InstrumentRegistry>().TryGet(Exchange.Binance, symbol, out var instrument).ShouldBeTrue();
        return instrument;
    }

    /// <summary>Through the real writer; returns once the rows are in the store.</summary>
    private async Task StoreAsync(IReadOnlyList<Trade> trades)
    {
        var writer = factory.Services.GetRequiredService<BatchedTableWriter<Trade>>();
        var target = writer.RowsWritten + trades.Count;
        foreach (var trade in trades)
        {
            await writer.WriteAsync(trade, Ct);
        }

        await K2.Testing.Eventually.TrueAsync(() => writer.RowsWritten >= target, TimeSpan.FromSeconds(10), "rows were not written", Ct);
    }

    private async Task<string> GetTextAsync(string path)
    {
        using var response = await factory.CreateClient().GetAsync(path, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await factory.CreateClient().GetAsync(path, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
    }
}

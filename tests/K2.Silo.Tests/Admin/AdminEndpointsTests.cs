using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Silo.Tests.Commands;
using K2.Simulator;
using K2.Storage.ClickHouse;
using K2.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Silo.Tests.Admin;

/// <summary>
/// The admin actions of a running silo: an offload or maintenance now (one at a time), and a REST backfill of a range
/// 40 days old, which must end up in cold even though the hot tier keeps only 30 days by exchange time.
/// </summary>
[Collection(EmbeddedStoreCommands.Name)]
public sealed class AdminEndpointsTests(AdminSilo silo) : IClassFixture<AdminSilo>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(Exchange.Kraken)]
    [InlineData(Exchange.Coinbase)]
    [InlineData(Exchange.Binance)]
    public async Task A_trade_range_40_days_old_is_backfilled_kept_past_the_ttl_offloaded_and_served_from_cold_exactly_once(Exchange exchange)
    {
        var instrument = AdminSilo.Registry.ForExchange(exchange)[0];
        var from = AdminSilo.PrintedFrom;
        var to = AdminSilo.PrintedFrom + AdminSilo.PrintedFor + TimeSpan.FromSeconds(1);
        var printed = silo.Simulator.GroundTruth.For(exchange, instrument.ExchangeSymbol)
            .Where(t => t.TradeTime >= UnixMicros.FromDateTimeOffset(from) && t.TradeTime < UnixMicros.FromDateTimeOffset(to)).ToList();
        var truth = printed.Select(t => t.TradeId.ToString(CultureInfo.InvariantCulture)).ToList();
        truth.Count.ShouldBeGreaterThan(20, "the simulator printed too few trades to tell anything");
        var range = $"exchange={exchange.ToName()}&symbol={instrument.Symbol}&from={Iso(from)}&to={Iso(to)}";

        using var queued = await silo.Http.PostAsync($"/v1/admin/backfill?{range}", null, Ct);
        queued.StatusCode.ShouldBe(HttpStatusCode.Accepted, await queued.Content.ReadAsStringAsync(Ct));
        var body = JsonDocument.Parse(await queued.Content.ReadAsStringAsync(Ct)).RootElement;
        body.GetProperty("exchange").GetString().ShouldBe(exchange.ToName());
        body.GetProperty("symbol").GetString().ShouldBe(instrument.Symbol);
        await Eventually.TrueAsync(async () => (await ServedIdsAsync(range)).Count == truth.Count, TimeSpan.FromSeconds(30),
            "the backfilled trades did not all become readable", Ct);
        // The simulator printed nothing else, so every bucket's candle is the printed trades' of its time.
        var candles = ExpectedCandles(printed);
        await Eventually.TrueAsync(async () => (await ServedCandlesAsync(instrument, printed)).SequenceEqual(candles), TimeSpan.FromSeconds(30),
            "the backfilled range's candles were not recomputed", Ct);

        // What the TTL would do at the next merge: nothing, since the hot tier keeps a row 30 days after its ingest too.
        var clickHouse = silo.Services.GetRequiredService<IClickHouseClient>();
        await clickHouse.ExecuteAsync("OPTIMIZE TABLE k2.silver_trades FINAL", null, Ct);
        await clickHouse.ExecuteAsync("OPTIMIZE TABLE k2.ohlcv FINAL", null, Ct);
        (await HotCountAsync(clickHouse, instrument)).ShouldBe(truth.Count);
        (await HotCountAsync(clickHouse, instrument, "ohlcv")).ShouldBe(candles.Count);

        using var offloaded = await silo.Http.PostAsync("/v1/admin/offload", null, Ct);
        offloaded.StatusCode.ShouldBe(HttpStatusCode.OK, await offloaded.Content.ReadAsStringAsync(Ct));
        var report = (await offloaded.Content.ReadFromJsonAsync<OffloadReply>(Json, Ct))!;
        report.Succeeded.ShouldBeTrue();
        report.Tables.Count.ShouldBe(10);
        var silver = report.Tables.Single(t => t.Table == "silver_trades");
        silver.Rows.ShouldBe(truth.Count);
        silver.Watermark.ShouldNotBeNull();

        report.Tables.Where(t => t.Table.StartsWith("gold_ohlcv_", StringComparison.Ordinal)).Sum(t => t.Rows).ShouldBe(candles.Count);

        // The hot copy gone, cold alone serves the range: every printed trade, each once, and their candles.
        await clickHouse.ExecuteAsync("TRUNCATE TABLE k2.silver_trades", null, Ct);
        await clickHouse.ExecuteAsync("TRUNCATE TABLE k2.ohlcv", null, Ct);
        (await HotCountAsync(clickHouse, instrument)).ShouldBe(0);
        var served = await ServedIdsAsync(range);
        served.ShouldBe(truth);
        (await ServedCandlesAsync(instrument, printed)).ShouldBe(candles);

        // Asked again, nothing is stored twice: every fetched trade is already in cold.
        using var again = await silo.Http.PostAsync($"/v1/admin/backfill?{range}", null, Ct);
        again.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await Eventually.TrueAsync(() => silo.Services.GetRequiredService<K2.Grains.Backfill.BackfillQueues>().For(exchange).RepairsPending == 0,
            TimeSpan.FromSeconds(30), "the second backfill did not finish", Ct);
        (await HotCountAsync(clickHouse, instrument)).ShouldBe(0);
        (await HotCountAsync(clickHouse, instrument, "ohlcv")).ShouldBe(0, "the recomputed candles, unchanged, were written again");
        (await ServedCandlesAsync(instrument, printed)).ShouldBe(candles);
    }

    [Fact]
    public async Task An_offload_or_maintenance_already_running_makes_another_a_409_problem()
    {
        var hold = silo.Services.GetRequiredService<RunHold>();
        foreach (var action in new[] { "/v1/admin/offload", "/v1/admin/maintenance" })
        {
            hold.Close();
            var first = silo.Http.PostAsync(action, null, Ct);
            await hold.Started.WaitAsync(Ct);
            using (var busy = await silo.Http.PostAsync(action, null, Ct))
            {
                busy.StatusCode.ShouldBe(HttpStatusCode.Conflict, action);
                busy.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            }

            hold.Open();
            using var held = await first;
            held.StatusCode.ShouldBe(HttpStatusCode.OK, await held.Content.ReadAsStringAsync(Ct));
        }

        // The held run has ended: the next one runs.
        using var maintenance = await silo.Http.PostAsync("/v1/admin/maintenance", null, Ct);
        maintenance.StatusCode.ShouldBe(HttpStatusCode.OK, await maintenance.Content.ReadAsStringAsync(Ct));
        var report = JsonDocument.Parse(await maintenance.Content.ReadAsStringAsync(Ct)).RootElement;
        // Four tasks on each of the ten tables.
        report.GetProperty("tasks").GetArrayLength().ShouldBe(40);
    }

    [Fact]
    public async Task Backfill_parameters_that_cannot_be_served_get_400_problems_naming_them()
    {
        var past = DateTimeOffset.UtcNow.AddDays(-40);
        var cases = new (string Query, string Parameter)[]
        {
            ($"exchange=kraken&symbol=NOPE-USD&from={Iso(past)}&to={Iso(past.AddHours(1))}", "symbol"),
            ($"exchange=kraken&symbol=BTC-USD&from={Iso(past)}&to={Iso(past)}", "from"),
            ($"exchange=kraken&symbol=BTC-USD&from={Iso(past)}&to={Iso(past.AddDays(8))}", "to"),
            ($"exchange=kraken&symbol=BTC-USD&from={Iso(past)}&to={Iso(DateTimeOffset.UtcNow.AddDays(1))}", "to"),
            ($"exchange=kraken&symbol=BTC-USD&from=yesterday&to={Iso(past)}", "from"),
            ($"exchange=kraken&symbol=BTC-USD&to={Iso(past)}", "from"),
            ($"exchange=nope&symbol=BTC-USD&from={Iso(past)}&to={Iso(past.AddHours(1))}", "exchange"),
        };

        foreach (var (query, parameter) in cases)
        {
            using var response = await silo.Http.PostAsync($"/v1/admin/backfill?{query}", null, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, query);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors");
            errors.TryGetProperty(parameter, out _).ShouldBeTrue($"{query}: {errors}");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/admin/backfill?{cases[0].Query}");
        request.Headers.Add("X-Api-Key", "not-the-key-000000000000");
        using var forbidden = await silo.Http.SendAsync(request, Ct);
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "the key is checked before the parameters");
    }

    [Fact]
    public async Task The_openapi_document_describes_the_admin_actions_with_their_key_and_refusals()
    {
        using var client = new HttpClient { BaseAddress = silo.Http.BaseAddress };
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", Ct)).RootElement;

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        scheme.GetProperty("type").GetString().ShouldBe("apiKey");
        scheme.GetProperty("in").GetString().ShouldBe("header");
        scheme.GetProperty("name").GetString().ShouldBe("X-Api-Key");
        foreach (var (path, codes) in new[]
        {
            ("/v1/admin/offload", new[] { "200", "401", "403", "404", "409" }),
            ("/v1/admin/maintenance", new[] { "200", "401", "403", "404", "409" }),
            ("/v1/admin/backfill", new[] { "202", "400", "401", "403", "404", "503" }),
        })
        {
            var operation = document.GetProperty("paths").GetProperty(path).GetProperty("post");
            operation.GetProperty("security")[0].TryGetProperty("ApiKey", out _).ShouldBeTrue(path);
            foreach (var code in codes)
            {
                operation.GetProperty("responses").TryGetProperty(code, out _).ShouldBeTrue($"{path} {code}");
            }
        }

        var parameters = document.GetProperty("paths").GetProperty("/v1/admin/backfill").GetProperty("post").GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        parameters.ShouldBe(["exchange", "symbol", "from", "to"]);
        document.GetProperty("paths").GetProperty("/v1/trades").GetProperty("get").TryGetProperty("security", out _).ShouldBeFalse();
    }

    private async Task<List<string>> ServedIdsAsync(string range)
    {
        using var response = await silo.Http.GetAsync($"/v1/trades?{range}&limit=10000", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        return [.. page.GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("trade_id").GetString()!)];
    }

    /// <summary>
    /// Each timeframe's candles of the printed trades' days, as served: bucket, open, high, low, close, volume, quote
    /// volume, buy and sell volume, trade count and vwap, amounts as exact decimals.
    /// </summary>
    private async Task<List<string>> ServedCandlesAsync(Instrument instrument, IReadOnlyList<PrintedTrade> printed)
    {
        var candles = new List<string>();
        var (from, to) = (Timeframe.OneDay.BucketStart(printed[0].TradeTime), Timeframe.OneDay.BucketStart(printed[^1].TradeTime).Value + DayMicros);
        foreach (var timeframe in Timeframes.All)
        {
            using var response = await silo.Http.GetAsync(
                $"/v1/candles?exchange={instrument.Exchange.ToName()}&symbol={instrument.Symbol}&timeframe={timeframe.ToName()}" +
                $"&from={from}&to={new UnixMicros(to)}&limit=1000", Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            foreach (var c in page.GetProperty("candles").EnumerateArray())
            {
                string[] fields =
                [
                    timeframe.ToName(), c.GetProperty("bucket_start").GetString()!,
                    .. new[] { "open", "high", "low", "close", "volume", "quote_volume", "buy_volume", "sell_volume" }
                        .Select(name => Exact(decimal.Parse(c.GetProperty(name).GetString()!, CultureInfo.InvariantCulture))),
                    c.GetProperty("trade_count").GetInt64().ToString(CultureInfo.InvariantCulture),
                    Exact(decimal.Parse(c.GetProperty("vwap").GetString()!, CultureInfo.InvariantCulture)),
                ];
                candles.Add(string.Join(" ", fields));
            }
        }

        return candles;
    }

    /// <summary>
    /// The candles of <paramref name="printed"/> (all the trades of their buckets) in the shape of
    /// <see cref="ServedCandlesAsync"/>, computed here: trades in print order (time, then id), the taker's side as the
    /// trade's side, vwap truncated to 16 decimals.
    /// </summary>
    private static List<string> ExpectedCandles(IReadOnlyList<PrintedTrade> printed) =>
    [
        .. Timeframes.All.SelectMany(timeframe => printed
            .GroupBy(t => timeframe.BucketStart(t.TradeTime))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var trades = g.OrderBy(t => t.TradeTime).ThenBy(t => t.TradeId).ToList();
                var volume = trades.Sum(t => t.Quantity);
                var quote = trades.Sum(t => t.Price * t.Quantity);
                var vwap = decimal.Truncate(quote / volume * 10_000_000_000_000_000m) / 10_000_000_000_000_000m;
                string[] fields =
                [
                    timeframe.ToName(), g.Key.ToString(),
                    .. new[]
                    {
                        trades[0].Price, trades.Max(t => t.Price), trades.Min(t => t.Price), trades[^1].Price, volume, quote,
                        trades.Where(t => t.TakerSide == TradeSide.Buy).Sum(t => t.Quantity), trades.Where(t => t.TakerSide == TradeSide.Sell).Sum(t => t.Quantity),
                    }.Select(Exact),
                    trades.Count.ToString(CultureInfo.InvariantCulture),
                    Exact(vwap),
                ];
                return string.Join(" ", fields);
            })),
    ];

    private const long DayMicros = 86_400_000_000;

    /// <summary>A decimal without trailing zeros, so equal amounts of different scales compare equal as text.</summary>
    private static string Exact(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    private static Task<long> HotCountAsync(IClickHouseClient clickHouse, Instrument instrument, string table = "silver_trades") => clickHouse.QueryAsync(
        $"SELECT count() FROM k2.{table} FINAL WHERE exchange = {{exchange:String}} AND symbol = {{symbol:String}}",
        new ClickHouseParameters().Add("exchange", instrument.Exchange.ToName()).Add("symbol", instrument.Symbol), ClickHouseFormats.TabSeparated,
        static data => long.Parse(Encoding.UTF8.GetString(data).Trim(), CultureInfo.InvariantCulture), Ct);

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private sealed record OffloadReply(bool Succeeded, IReadOnlyList<TableReply> Tables);

    private sealed record TableReply(string Table, long Rows, DateTimeOffset? Watermark, string? Error);
}

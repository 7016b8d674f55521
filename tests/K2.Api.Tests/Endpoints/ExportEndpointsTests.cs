using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using K2.Api.Tests.Support;
using K2.Core;
using K2.Core.Candles;
using K2.Core.Instruments;
using K2.Core.Trades;
using K2.Storage.ClickHouse;
using K2.Storage.History;
using K2.Storage.Writers;
using K2.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Api.Tests.Endpoints;

/// <summary>
/// Exports stream every row of a range as CSV, NDJSON or Parquet; read back by independent readers (CsvHelper,
/// Parquet.Net), each equals the JSON pages of the same range. The range spans 25 hours; an export cut into windows of
/// a few rows each (as a busy symbol's is) holds the same rows.
/// </summary>
public sealed class ExportEndpointsTests(ApiFactory factory)
{
    /// <summary>25 hours of trades ending an hour ago: recent (the hot tables keep 30 days) and across a midnight.</summary>
    private static readonly UnixMicros Start = UnixMicros.FromDateTimeOffset(TimeProvider.System.GetUtcNow().AddHours(-26));

    /// <summary>A minute past the last trade, which lies 25 hours after <see cref="Start"/>.</summary>
    private static readonly UnixMicros End = new(Start.Value + (25L * 3_600_000_000) + 60_000_000);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("csv", "text/csv")]
    [InlineData("ndjson", "application/x-ndjson")]
    [InlineData("parquet", "application/vnd.apache.parquet")]
    public async Task A_trade_export_equals_the_json_pages_of_the_same_range(string format, string mediaType)
    {
        await StoreTradesOnceAsync();
        var range = $"exchange=binance&symbol=LTC-USDT&from={Iso(Start)}&to={Iso(End)}";
        var json = ExportedRows.FromJson(await PageAllAsync($"/v1/trades?{range}&limit=53", "trades"));

        using var response = await factory.CreateClient().GetAsync($"/v1/trades?{range}&format={format}", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe(mediaType);
        response.Content.Headers.ContentDisposition!.FileName.ShouldBe($"binance-LTC-USDT-trades.{format}");
        var exported = await ReadAsync(format, response);
        json.Count.ShouldBe(TradeCount);
        exported.Project(json[0].Keys).Lines().ShouldBe(json.Lines());
    }

    [Theory]
    [InlineData(1)] // every hour with trades a window of its own
    [InlineData(7)] // most hours hold 10 trades, more than a window may: hours overrun the limit
    public async Task A_trade_export_cut_into_windows_of_few_rows_holds_the_same_rows(long windowRows)
    {
        await StoreTradesOnceAsync();
        var json = ExportedRows.FromJson(await PageAllAsync($"/v1/trades?exchange=binance&symbol=LTC-USDT&from={Iso(Start)}&to={Iso(End)}&limit=53", "trades"));
        var export = new HistoryExport(
            factory.Services.GetRequiredService<IClickHouseClient>(), factory.Services.GetRequiredService<TradeHistory>(),
            factory.Services.GetRequiredService<CandleHistory>(), windowRows);
        using var csv = new MemoryStream();

        await export.WriteTradesAsync(HistoryExportFormat.Csv, Exchange.Binance, "LTC-USDT", Start, End, (chunk, token) => csv.WriteAsync(chunk, token), Ct);

        json.Count.ShouldBe(TradeCount);
        ExportedRows.FromCsv(Encoding.UTF8.GetString(csv.ToArray())).Project(json[0].Keys).Lines().ShouldBe(json.Lines());
    }

    [Fact]
    public async Task A_candle_export_in_parquet_equals_the_json_pages_and_the_accept_header_chooses_csv()
    {
        var candles = await StoreCandlesOnceAsync();
        var range = $"exchange=binance&symbol=LINK-USDT&timeframe=1h&from={Iso(Start)}&to={Iso(End)}";
        var json = ExportedRows.FromJson(await PageAllAsync($"/v1/candles?{range}&limit=7", "candles"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/candles?{range}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json", 0.5));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        using var parquet = await factory.CreateClient().GetAsync($"/v1/candles?{range}&format=parquet", Ct);
        using var csv = await factory.CreateClient().SendAsync(request, Ct);

        json.Count.ShouldBe(candles);
        (await ReadAsync("parquet", parquet)).Project(json[0].Keys).Lines().ShouldBe(json.Lines());
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        (await ReadAsync("csv", csv)).Project(json[0].Keys).Lines().ShouldBe(json.Lines());
    }

    [Theory]
    [InlineData("format=csv", "from")]
    [InlineData("format=csv&from=2026-11-22T00:00:00Z&limit=10", "limit")]
    [InlineData("format=parquet&from=2026-11-22T00:00:00Z&cursor=AAAA", "cursor")]
    [InlineData("format=xml&from=2026-11-22T00:00:00Z", "format")]
    [InlineData("format=CSV&from=2026-11-22T00:00:00Z", "format")]
    public async Task An_export_that_cannot_stream_a_range_is_a_400_naming_the_parameter(string query, string parameter)
    {
        using var response = await factory.CreateClient().GetAsync($"/v1/trades?exchange=binance&symbol=BTC-USDT&{query}", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("errors");
        errors.TryGetProperty(parameter, out _).ShouldBeTrue(errors.ToString());
    }

    private const int TradeCount = 250;

    private static readonly SemaphoreSlim Stored = new(1, 1);
    private static bool _tradesStored;
    private static int _candlesStored;

    private async Task StoreTradesOnceAsync()
    {
        await Stored.WaitAsync(Ct);
        try
        {
            if (!_tradesStored)
            {
                var ltc = Instrument("LTC-USDT");
                // Every 6 minutes, pairs sharing a time, prices with many decimals; one trade stored twice.
                var trades = Enumerable.Range(1, TradeCount).Select(i => new Trade(
                    ltc, TradeId.FromNumber(90 + i), 70m + (i / 100_000_000m), 0.001m * i, i % 3 == 0 ? TradeSide.Sell : TradeSide.Buy,
                    new UnixMicros(Start.Value + (i / 2 * 720_000_000L) + 1), new UnixMicros(Start.Value + (i / 2 * 720_000_000L) + 99))).ToList();
                await StoreAsync(factory.Services.GetRequiredService<BatchedTableWriter<Trade>>(), [.. trades, trades[5]]);
                _tradesStored = true;
            }
        }
        finally
        {
            Stored.Release();
        }
    }

    private async Task<int> StoreCandlesOnceAsync()
    {
        await Stored.WaitAsync(Ct);
        try
        {
            if (_candlesStored == 0)
            {
                var link = Instrument("LINK-USDT");
                var candles = new List<Candle>();
                for (var hour = 0; hour < 25; hour++)
                {
                    var aggregate = new CandleAggregate();
                    var at = new UnixMicros(Timeframe.OneHour.BucketStart(End).Value - ((hour + 1) * 3_600_000_000L) + 10);
                    aggregate.Add(new Trade(link, TradeId.FromNumber(hour + 1), 14.5m + hour, 3.25m, TradeSide.Buy, at, at));
                    candles.Add(Candle.Of(link, Timeframe.OneHour, Timeframe.OneHour.BucketStart(at), aggregate, version: 1 + (hour % 2)));
                }

                await StoreAsync(factory.Services.GetRequiredService<BatchedTableWriter<Candle>>(), candles);
                _candlesStored = candles.Count(c => c.BucketStart >= Start);
            }

            return _candlesStored;
        }
        finally
        {
            Stored.Release();
        }
    }

    private static async Task<List<Dictionary<string, string>>> ReadAsync(string format, HttpResponseMessage response) => format switch
    {
        "csv" => ExportedRows.FromCsv(await response.Content.ReadAsStringAsync(Ct)),
        "ndjson" => ExportedRows.FromNdjson(await response.Content.ReadAsStringAsync(Ct)),
        _ => await ExportedRows.FromParquetAsync(await response.Content.ReadAsByteArrayAsync(Ct), Ct),
    };

    private async Task<List<JsonElement>> PageAllAsync(string firstPage, string rows)
    {
        var all = new List<JsonElement>();
        for (string? cursor = null; ;)
        {
            using var response = await factory.CreateClient().GetAsync(cursor is null ? firstPage : $"{firstPage}&cursor={cursor}", Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
            var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            all.AddRange(page.GetProperty(rows).EnumerateArray().Select(r => r.Clone()));
            if ((cursor = page.GetProperty("next_cursor").GetString()) is null)
            {
                return all;
            }
        }
    }

    private Instrument Instrument(string symbol) =>
        factory.Services.GetRequiredService<InstrumentRegistry>().TryGet(Exchange.Binance, symbol, out var instrument)
            ? instrument
            : throw new InvalidOperationException(symbol);

    private static async Task StoreAsync<T>(BatchedTableWriter<T> writer, IReadOnlyList<T> rows)
    {
        foreach (var row in rows)
        {
            await writer.WriteAsync(row, Ct);
        }

        await writer.WhenWrittenAsync(Ct);
    }

    private static string Iso(UnixMicros time) => time.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

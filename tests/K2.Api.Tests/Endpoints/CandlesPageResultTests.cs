using System.Text.Json;
using K2.Api.Contracts;
using K2.Api.Endpoints;
using K2.Api.Tests.Support;
using K2.Core;
using K2.Core.Candles;
using K2.Storage.Candles;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Api.Tests.Endpoints;

/// <summary>The candle page writer against the serializer: the same bytes for the same page, at the limits of every amount.</summary>
public sealed class CandlesPageResultTests(ApiFactory factory)
{
    private static readonly UnixMicros Bucket = UnixMicros.FromDateTimeOffset(new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero));

    private static readonly StoredCandle Extreme = new(
        Exchange.Kraken, "BTC-USD", Timeframe.OneMinute, Bucket,
        Open: 826_932_000_000, High: long.MaxValue, Low: 1, Close: -250_000_000,
        Volume: Int128.MaxValue, QuoteVolume: Int128.MinValue, BuyVolume: 0, SellVolume: 100_000_000,
        TradeCount: long.MaxValue, Vwap: Int128.Parse("82693200000000000000", System.Globalization.CultureInfo.InvariantCulture), Version: 7);

    /// <summary><see cref="Extreme"/> as the response record, every amount written out by hand.</summary>
    private static readonly CandleResponse ExtremeResponse = new(
        "kraken", "BTC-USD", "1m", "2026-11-30T23:59:00.000000Z",
        "8269.32", "92233720368.54775807", "0.00000001", "-2.5",
        "1701411834604692317316873037158.84105727", "-17014118346046923173168.7303715884105728", "0", "1",
        long.MaxValue, "8269.32", 7);

    private static readonly StoredCandle Plain = new(
        Exchange.Binance, "ETH-USDT", Timeframe.OneDay, Bucket, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1);

    private static readonly CandleResponse PlainResponse = new(
        "binance", "ETH-USDT", "1d", "2026-11-30T23:59:00.000000Z",
        "0.00000001", "0.00000002", "0.00000003", "0.00000004", "0.00000005", "0.0000000000000006", "0.00000007", "0.00000008", 9, "0.000000000000001", 1);

    [Theory]
    [InlineData(null)]
    [InlineData("eyJhIjoxfQ+/=<&>'")]
    public async Task A_page_is_written_byte_for_byte_as_the_serializer_writes_its_response(string? cursor)
    {
        var options = factory.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = factory.Services };
        context.Response.Body = body;
        // More candles than one flush holds, so the page goes out in several writes.
        var candles = Enumerable.Range(0, 400).Select(i => i % 2 == 0 ? Extreme : Plain).ToList();

        await new CandlesPageResult(candles, cursor).ExecuteAsync(context);
        await context.Response.BodyWriter.CompleteAsync();

        context.Response.ContentType.ShouldBe("application/json; charset=utf-8");
        var expected = JsonSerializer.SerializeToUtf8Bytes(
            new CandlesResponse([.. Enumerable.Range(0, 400).Select(i => i % 2 == 0 ? ExtremeResponse : PlainResponse)], cursor), options);
        System.Text.Encoding.UTF8.GetString(body.ToArray()).ShouldBe(System.Text.Encoding.UTF8.GetString(expected));
    }
}

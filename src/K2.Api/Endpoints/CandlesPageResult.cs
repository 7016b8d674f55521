using System.Text.Json;
using K2.Api.Contracts;
using K2.Core;
using K2.Core.Candles;
using K2.Storage.Candles;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace K2.Api.Endpoints;

/// <summary>
/// A page of candles written as the JSON of <see cref="CandlesResponse"/> straight from the stored candles into the
/// response: a day of 1m candles is 1,440 objects of 15 fields, and building the response records first made 17,000
/// strings per request before the serializer copied them out again. The bytes are the serializer's own for the same
/// page (a test holds them to it): the same names, order, escaping and number forms.
/// </summary>
internal sealed class CandlesPageResult(IReadOnlyList<StoredCandle> candles, string? nextCursor) : IResult
{
    /// <summary>Bytes held before they go to the client: a day of 1m candles is about 460 kB.</summary>
    private const int FlushBytes = 32 * 1024;

    private static readonly JsonEncodedText CandlesName = JsonEncodedText.Encode("candles");
    private static readonly JsonEncodedText NextCursorName = JsonEncodedText.Encode("next_cursor");
    private static readonly JsonEncodedText ExchangeName = JsonEncodedText.Encode("exchange");
    private static readonly JsonEncodedText SymbolName = JsonEncodedText.Encode("symbol");
    private static readonly JsonEncodedText TimeframeName = JsonEncodedText.Encode("timeframe");
    private static readonly JsonEncodedText BucketStartName = JsonEncodedText.Encode("bucket_start");
    private static readonly JsonEncodedText OpenName = JsonEncodedText.Encode("open");
    private static readonly JsonEncodedText HighName = JsonEncodedText.Encode("high");
    private static readonly JsonEncodedText LowName = JsonEncodedText.Encode("low");
    private static readonly JsonEncodedText CloseName = JsonEncodedText.Encode("close");
    private static readonly JsonEncodedText VolumeName = JsonEncodedText.Encode("volume");
    private static readonly JsonEncodedText QuoteVolumeName = JsonEncodedText.Encode("quote_volume");
    private static readonly JsonEncodedText BuyVolumeName = JsonEncodedText.Encode("buy_volume");
    private static readonly JsonEncodedText SellVolumeName = JsonEncodedText.Encode("sell_volume");
    private static readonly JsonEncodedText TradeCountName = JsonEncodedText.Encode("trade_count");
    private static readonly JsonEncodedText VwapName = JsonEncodedText.Encode("vwap");
    private static readonly JsonEncodedText VersionName = JsonEncodedText.Encode("version");

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "application/json; charset=utf-8";
        var serializer = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        await using var writer = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { Encoder = serializer.Encoder, SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteStartArray(CandlesName);
        foreach (var candle in candles)
        {
            Write(writer, candle);
            if (writer.BytesPending >= FlushBytes)
            {
                writer.Flush();
                await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
            }
        }

        writer.WriteEndArray();
        writer.WriteString(NextCursorName, nextCursor);
        writer.WriteEndObject();
    }

    private static void Write(Utf8JsonWriter writer, StoredCandle candle)
    {
        writer.WriteStartObject();
        writer.WriteString(ExchangeName, candle.Exchange.ToName());
        writer.WriteString(SymbolName, candle.Symbol);
        writer.WriteString(TimeframeName, candle.Timeframe.ToName());
        writer.WriteString(BucketStartName, candle.BucketStart.ToString());
        WriteAmount(writer, OpenName, candle.Open, CandleAmounts.AmountScale);
        WriteAmount(writer, HighName, candle.High, CandleAmounts.AmountScale);
        WriteAmount(writer, LowName, candle.Low, CandleAmounts.AmountScale);
        WriteAmount(writer, CloseName, candle.Close, CandleAmounts.AmountScale);
        WriteAmount(writer, VolumeName, candle.Volume, CandleAmounts.AmountScale);
        WriteAmount(writer, QuoteVolumeName, candle.QuoteVolume, CandleAmounts.QuoteScale);
        WriteAmount(writer, BuyVolumeName, candle.BuyVolume, CandleAmounts.AmountScale);
        WriteAmount(writer, SellVolumeName, candle.SellVolume, CandleAmounts.AmountScale);
        writer.WriteNumber(TradeCountName, candle.TradeCount);
        WriteAmount(writer, VwapName, candle.Vwap, CandleAmounts.QuoteScale);
        writer.WriteNumber(VersionName, candle.Version);
        writer.WriteEndObject();
    }

    private static void WriteAmount(Utf8JsonWriter writer, JsonEncodedText name, Int128 units, int scale)
    {
        Span<char> text = stackalloc char[DecimalFormat.MaxLength(scale)];
        writer.WriteString(name, text[..DecimalFormat.Write(units, scale, text)]);
    }
}

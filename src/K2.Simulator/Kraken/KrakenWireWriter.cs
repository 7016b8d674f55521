using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges.Kraken;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Simulator.Kraken;

/// <summary>
/// Writes Kraken's JSON as the live service does. WebSocket v2: answers with their keys in alphabetical order (as
/// recorded from the venue), trade messages in the docs' field order, prices and quantities as JSON numbers at the
/// instrument's scales (<c>"qty":0.00044780</c>: Kraken prints the lot's eight decimals, trailing zeros included),
/// times as RFC 3339 with microseconds. REST: the legacy row arrays of <c>/0/public/Trades</c>.
/// </summary>
internal static class KrakenWireWriter
{
    /// <summary>Kraken's texts hold quotes (<c>'params'</c>) that the default encoder would escape as \u0027.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The status message names this server build; the recorded live one said 2.0.10.</summary>
    public const string ServerVersion = "2.0.0";

    private const string ApiVersion = "v2";

    /// <summary>REST prints prices with at least five decimals (<c>"30243.40000"</c> for a 0.1 tick) and volumes with eight.</summary>
    private const int MinRestPriceDecimals = 5;
    private const int RestVolumeDecimals = 8;

    private const int MicrosecondDigits = 6;
    private const long MicrosPerSecond = 1_000_000;
    private const long NanosPerMicro = 1_000;

    /// <summary>Room for any decimal: 29 digits, a point and a sign.</summary>
    private const int MaxDecimalTextLength = 31;

    /// <summary><c>2026-09-25T17:48:26.844359Z</c> is 27 characters.</summary>
    private const int TimestampLength = 27;

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>
    /// <c>{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":1,"system":"online","version":"2.0.0"}]}</c>,
    /// sent once on connecting.
    /// </summary>
    public static void WriteStatus(Utf8JsonWriter writer, long connectionId)
    {
        writer.WriteStartObject();
        writer.WriteString("channel"u8, KrakenEndpoints.StatusChannel);
        writer.WriteString("type"u8, "update"u8);
        writer.WriteStartArray("data"u8);
        writer.WriteStartObject();
        writer.WriteString("api_version"u8, ApiVersion);
        writer.WriteNumber("connection_id"u8, connectionId);
        writer.WriteString("system"u8, "online"u8);
        writer.WriteString("version"u8, ServerVersion);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary><c>{"channel":"heartbeat"}</c>.</summary>
    public static void WriteHeartbeat(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("channel"u8, KrakenEndpoints.HeartbeatChannel);
        writer.WriteEndObject();
    }

    /// <summary>
    /// One symbol's successful (un)subscription:
    /// <c>{"method":"subscribe","req_id":1,"result":{"channel":"trade","snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":…,"time_out":…}</c>.
    /// An unsubscription's result has no <c>snapshot</c>.
    /// </summary>
    public static void WriteSubscriptionResult(
        Utf8JsonWriter writer, string method, long? requestId, string symbol, bool? snapshot, UnixMicros timeIn, UnixMicros timeOut)
    {
        writer.WriteStartObject();
        writer.WriteString("method"u8, method);
        WriteRequestId(writer, requestId);
        writer.WriteStartObject("result"u8);
        writer.WriteString("channel"u8, KrakenEndpoints.TradeChannel);
        if (snapshot is { } value)
        {
            writer.WriteBoolean("snapshot"u8, value);
        }

        writer.WriteString("symbol"u8, symbol);
        writer.WriteEndObject();
        writer.WriteBoolean("success"u8, true);
        WriteTimes(writer, timeIn, timeOut);
        writer.WriteEndObject();
    }

    /// <summary>
    /// A refused request: <c>{"error":"…","method":"subscribe","req_id":1,"success":false,"symbol":"XBT/USD","time_in":…,"time_out":…}</c>;
    /// <c>method</c>, <c>req_id</c> and <c>symbol</c> only where known.
    /// </summary>
    public static void WriteError(
        Utf8JsonWriter writer, string error, string? method, long? requestId, string? symbol, UnixMicros timeIn, UnixMicros timeOut)
    {
        writer.WriteStartObject();
        writer.WriteString("error"u8, error);
        if (method is not null)
        {
            writer.WriteString("method"u8, method);
        }

        WriteRequestId(writer, requestId);
        writer.WriteBoolean("success"u8, false);
        if (symbol is not null)
        {
            writer.WriteString("symbol"u8, symbol);
        }

        WriteTimes(writer, timeIn, timeOut);
        writer.WriteEndObject();
    }

    /// <summary><c>{"method":"pong","req_id":101,"time_in":…,"time_out":…}</c>; as recorded, a live pong has no <c>success</c>.</summary>
    public static void WritePong(Utf8JsonWriter writer, long? requestId, UnixMicros timeIn, UnixMicros timeOut)
    {
        writer.WriteStartObject();
        writer.WriteString("method"u8, KrakenEndpoints.PongMethod);
        WriteRequestId(writer, requestId);
        WriteTimes(writer, timeIn, timeOut);
        writer.WriteEndObject();
    }

    /// <summary>The error before a disconnect for too many requests, as NautilusTrader quotes it: <c>{"Error":"Exceeded msg rate"}</c>.</summary>
    public static void WriteRateLimitError(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("Error"u8, KrakenErrorTexts.ExceededMessageRate);
        writer.WriteEndObject();
    }

    /// <summary>A trade message: <c>{"channel":"trade","type":"update","data":[{"symbol":…,"side":…,"price":…,"qty":…,"ord_type":…,"trade_id":…,"timestamp":…}]}</c>.</summary>
    public static void WriteTrades(Utf8JsonWriter writer, KrakenV2TradeMessageType type, Instrument instrument, IReadOnlyList<PrintedTrade> trades)
    {
        writer.WriteStartObject();
        writer.WriteString("channel"u8, KrakenEndpoints.TradeChannel);
        writer.WriteString("type"u8, type == KrakenV2TradeMessageType.Snapshot ? "snapshot"u8 : "update"u8);
        writer.WriteStartArray("data"u8);
        foreach (var trade in trades)
        {
            writer.WriteStartObject();
            writer.WriteString("symbol"u8, instrument.ExchangeSymbol);
            writer.WriteString("side"u8, trade.TakerSide == TradeSide.Buy ? "buy"u8 : "sell"u8);
            WriteNumber(writer, "price"u8, trade.Price, instrument.PriceScale);
            WriteNumber(writer, "qty"u8, trade.Quantity, instrument.QuantityScale);
            writer.WriteString("ord_type"u8, IsMarketOrder(trade) ? "market"u8 : "limit"u8);
            writer.WriteNumber("trade_id"u8, trade.TradeId);
            WriteTimestamp(writer, "timestamp"u8, trade.TradeTime);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>{"error":[],"result":{"XXBTZUSD":[["30243.40000","0.34507674",1688669597.827736,"b","m","",61044952],…],"last":"1688669597827736000"}}</c>.
    /// </summary>
    public static void WriteRestTrades(Utf8JsonWriter writer, string responseKey, Instrument instrument, IReadOnlyList<PrintedTrade> trades, long lastNanoseconds)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("error"u8);
        writer.WriteEndArray();
        writer.WriteStartObject("result"u8);
        writer.WriteStartArray(responseKey);
        Span<byte> text = stackalloc byte[MaxDecimalTextLength];
        foreach (var trade in trades)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(Format(trade.Price, Math.Max(instrument.PriceScale, MinRestPriceDecimals), text));
            writer.WriteStringValue(Format(trade.Quantity, Math.Max(instrument.QuantityScale, RestVolumeDecimals), text));
            writer.WriteRawValue(RestTime(trade.TradeTime), skipInputValidation: true);
            writer.WriteStringValue(trade.TakerSide == TradeSide.Buy ? "b"u8 : "s"u8);
            writer.WriteStringValue(IsMarketOrder(trade) ? "m"u8 : "l"u8);
            writer.WriteStringValue(""u8);
            writer.WriteNumberValue(trade.TradeId);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteString("last"u8, lastNanoseconds.ToString(CultureInfo.InvariantCulture));
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary><c>{"error":["EQuery:Unknown asset pair"]}</c>: Kraken's REST refusals come with HTTP 200.</summary>
    public static void WriteRestError(Utf8JsonWriter writer, string error)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("error"u8);
        writer.WriteStringValue(error);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The REST cursor of a trade: its time in nanoseconds (19 digits today).</summary>
    public static long Nanoseconds(UnixMicros time) => time.Value * NanosPerMicro;

    /// <summary>RFC 3339 with exactly six fraction digits, as Kraken prints trade times.</summary>
    public static string Timestamp(UnixMicros time) =>
        time.ToDateTimeOffset().UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// The simulated market has no order types; the taker's is derived from the trade id so that every feed and REST
    /// agree on it (a quarter of trades take liquidity with a limit order).
    /// </summary>
    private static bool IsMarketOrder(PrintedTrade trade) => trade.TradeId % 4 != 0;

    /// <summary>
    /// Seconds as Kraken's REST prints its double times: the shortest decimal, here at most six places (a µs time's
    /// double always round-trips through them), and <c>.0</c> for a whole second.
    /// </summary>
    private static byte[] RestTime(UnixMicros time)
    {
        var seconds = Math.DivRem(time.Value, MicrosPerSecond, out var micros);
        var fraction = micros.ToString($"D{MicrosecondDigits}", CultureInfo.InvariantCulture).TrimEnd('0');
        return System.Text.Encoding.ASCII.GetBytes(string.Create(
            CultureInfo.InvariantCulture, $"{seconds}.{(fraction.Length == 0 ? "0" : fraction)}"));
    }

    private static void WriteRequestId(Utf8JsonWriter writer, long? requestId)
    {
        if (requestId is { } id)
        {
            writer.WriteNumber("req_id"u8, id);
        }
    }

    private static void WriteTimes(Utf8JsonWriter writer, UnixMicros timeIn, UnixMicros timeOut)
    {
        WriteTimestamp(writer, "time_in"u8, timeIn);
        WriteTimestamp(writer, "time_out"u8, timeOut);
    }

    private static void WriteTimestamp(Utf8JsonWriter writer, ReadOnlySpan<byte> name, UnixMicros time)
    {
        Span<byte> text = stackalloc byte[TimestampLength];
        time.ToDateTimeOffset().UtcDateTime.TryFormat(text, out var written, TimestampFormat, CultureInfo.InvariantCulture);
        writer.WriteString(name, text[..written]);
    }

    /// <summary>A JSON number with exactly <paramref name="scale"/> decimals: <c>83744.3</c>, <c>0.00044780</c>.</summary>
    private static void WriteNumber(Utf8JsonWriter writer, ReadOnlySpan<byte> name, decimal value, int scale)
    {
        Span<byte> text = stackalloc byte[MaxDecimalTextLength];
        writer.WritePropertyName(name);
        writer.WriteRawValue(Format(value, scale, text), skipInputValidation: true);
    }

    private static ReadOnlySpan<byte> Format(decimal value, int scale, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written, new StandardFormat('F', (byte)scale));
        return destination[..written];
    }
}

using System.Buffers;
using System.Buffers.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Core.Trades;

namespace K2.Simulator.Binance;

/// <summary>
/// Writes Binance's JSON byte for byte as the live service does: field names and order of the docs' payloads,
/// prices and quantities as decimal strings with eight decimals (what spot sends on streams and REST, e.g.
/// <c>"57497.07000000"</c>), times in milliseconds or, on request, microseconds.
/// </summary>
internal static class BinanceWireWriter
{
    /// <summary>Binance's error texts hold backticks, which the default encoder would escape as \u0060.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const int DecimalPlaces = 8;
    private const long MicrosPerMillisecond = 1_000;

    /// <summary>Room for any decimal: 29 digits, a point and a sign.</summary>
    private const int MaxDecimalTextLength = 31;

    private static readonly StandardFormat EightDecimals = new('F', DecimalPlaces);

    /// <summary>
    /// A <c>&lt;symbol&gt;@trade</c> event; wrapped as <c>{"stream":…,"data":…}</c> when
    /// <paramref name="combinedStream"/> is set.
    /// </summary>
    public static void WriteTradeEvent(Utf8JsonWriter writer, PrintedTrade trade, string? combinedStream, BinanceTimeUnit unit, UnixMicros eventTime)
    {
        if (combinedStream is not null)
        {
            writer.WriteStartObject();
            writer.WriteString("stream"u8, combinedStream);
            writer.WritePropertyName("data"u8);
        }

        writer.WriteStartObject();
        writer.WriteString("e"u8, "trade"u8);
        writer.WriteNumber("E"u8, Time(eventTime, unit));
        writer.WriteString("s"u8, trade.ExchangeSymbol);
        writer.WriteNumber("t"u8, trade.TradeId);
        WriteDecimal(writer, "p"u8, trade.Price);
        WriteDecimal(writer, "q"u8, trade.Quantity);
        writer.WriteNumber("T"u8, Time(trade.TradeTime, unit));
        writer.WriteBoolean("m"u8, BuyerIsMaker(trade));
        writer.WriteBoolean("M"u8, true);
        writer.WriteEndObject();

        if (combinedStream is not null)
        {
            writer.WriteEndObject();
        }
    }

    /// <summary>
    /// <c>{"e":"serverShutdown","E":1770123456789}</c>, wrapped as <c>{"stream":"!serverShutdown","data":…}</c>
    /// when <paramref name="combinedStream"/> is set.
    /// </summary>
    public static void WriteServerShutdown(Utf8JsonWriter writer, string? combinedStream, BinanceTimeUnit unit, UnixMicros eventTime)
    {
        if (combinedStream is not null)
        {
            writer.WriteStartObject();
            writer.WriteString("stream"u8, combinedStream);
            writer.WritePropertyName("data"u8);
        }

        writer.WriteStartObject();
        writer.WriteString("e"u8, "serverShutdown"u8);
        writer.WriteNumber("E"u8, Time(eventTime, unit));
        writer.WriteEndObject();

        if (combinedStream is not null)
        {
            writer.WriteEndObject();
        }
    }

    /// <summary><c>{"result":null,"id":1}</c>: a SUBSCRIBE, UNSUBSCRIBE or SET_PROPERTY succeeded.</summary>
    public static void WriteNullResult(Utf8JsonWriter writer, BinanceRequestId id)
    {
        writer.WriteStartObject();
        writer.WriteNull("result"u8);
        id.WriteTo(writer);
        writer.WriteEndObject();
    }

    /// <summary><c>{"result":["btcusdt@trade"],"id":3}</c>: the answer to LIST_SUBSCRIPTIONS.</summary>
    public static void WriteListResult(Utf8JsonWriter writer, IEnumerable<string> streams, BinanceRequestId id)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("result"u8);
        foreach (var stream in streams)
        {
            writer.WriteStringValue(stream);
        }

        writer.WriteEndArray();
        id.WriteTo(writer);
        writer.WriteEndObject();
    }

    /// <summary><c>{"result":true,"id":2}</c>: the answer to GET_PROPERTY.</summary>
    public static void WriteBooleanResult(Utf8JsonWriter writer, bool value, BinanceRequestId id)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("result"u8, value);
        id.WriteTo(writer);
        writer.WriteEndObject();
    }

    /// <summary><c>{"error":{"code":2,"msg":"…"},"id":1}</c>.</summary>
    public static void WriteRequestError(Utf8JsonWriter writer, BinanceRequestError error)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error"u8);
        writer.WriteNumber("code"u8, error.Code);
        writer.WriteString("msg"u8, error.Message);
        writer.WriteEndObject();
        error.Id.WriteTo(writer);
        writer.WriteEndObject();
    }

    /// <summary>The array <c>GET /api/v3/trades</c> and <c>/api/v3/historicalTrades</c> return.</summary>
    public static void WriteRestTrades(Utf8JsonWriter writer, IReadOnlyList<PrintedTrade> trades, BinanceTimeUnit unit)
    {
        writer.WriteStartArray();
        foreach (var trade in trades)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id"u8, trade.TradeId);
            WriteDecimal(writer, "price"u8, trade.Price);
            WriteDecimal(writer, "qty"u8, trade.Quantity);
            WriteQuoteQuantity(writer, trade.Price * trade.Quantity);
            writer.WriteNumber("time"u8, Time(trade.TradeTime, unit));
            writer.WriteBoolean("isBuyerMaker"u8, BuyerIsMaker(trade));
            writer.WriteBoolean("isBestMatch"u8, true);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// The array <c>GET /api/v3/aggTrades</c> returns. The simulator's market fills every taker order with a single
    /// trade, so each aggregate is one trade: its aggregate, first and last ids are that trade's id.
    /// </summary>
    public static void WriteRestAggregateTrades(Utf8JsonWriter writer, IReadOnlyList<PrintedTrade> trades, BinanceTimeUnit unit)
    {
        writer.WriteStartArray();
        foreach (var trade in trades)
        {
            writer.WriteStartObject();
            writer.WriteNumber("a"u8, trade.TradeId);
            WriteDecimal(writer, "p"u8, trade.Price);
            WriteDecimal(writer, "q"u8, trade.Quantity);
            writer.WriteNumber("f"u8, trade.TradeId);
            writer.WriteNumber("l"u8, trade.TradeId);
            writer.WriteNumber("T"u8, Time(trade.TradeTime, unit));
            writer.WriteBoolean("m"u8, BuyerIsMaker(trade));
            writer.WriteBoolean("M"u8, true);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary><c>{"code":-1121,"msg":"Invalid symbol."}</c>.</summary>
    public static void WriteRestError(Utf8JsonWriter writer, int code, string message)
    {
        writer.WriteStartObject();
        writer.WriteNumber("code"u8, code);
        writer.WriteString("msg"u8, message);
        writer.WriteEndObject();
    }

    /// <summary>'m'/isBuyerMaker: the buyer was the maker exactly when the taker sold.</summary>
    private static bool BuyerIsMaker(PrintedTrade trade) => trade.TakerSide == TradeSide.Sell;

    /// <summary>Microseconds pass through; milliseconds are truncated, as Binance truncates.</summary>
    public static long Time(UnixMicros time, BinanceTimeUnit unit) =>
        unit == BinanceTimeUnit.Microsecond ? time.Value : time.Value / MicrosPerMillisecond;

    private static void WriteDecimal(Utf8JsonWriter writer, ReadOnlySpan<byte> name, decimal value)
    {
        Span<byte> text = stackalloc byte[MaxDecimalTextLength];
        Utf8Formatter.TryFormat(value, text, out var written, EightDecimals);
        writer.WriteString(name, text[..written]);
    }

    /// <summary>The docs print quoteQty without trailing zeros (<c>"48.000012"</c>), rounded to eight decimals.</summary>
    private static void WriteQuoteQuantity(Utf8JsonWriter writer, decimal value)
    {
        Span<byte> text = stackalloc byte[MaxDecimalTextLength];
        Utf8Formatter.TryFormat(decimal.Round(value, DecimalPlaces), text, out var written, EightDecimals);
        var trimmed = text[..written].TrimEnd((byte)'0').TrimEnd((byte)'.');
        writer.WriteString("quoteQty"u8, trimmed);
    }
}

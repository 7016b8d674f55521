using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Trades;

namespace K2.Simulator.Coinbase;

/// <summary>
/// Writes Coinbase Advanced Trade JSON as the live service does: the docs' envelope
/// (<c>channel, client_id, timestamp, sequence_num, events</c>) and trade field order; prices and sizes as decimal
/// strings at the instrument's scales; trade times RFC 3339 with six fractional digits (as captured responses show,
/// trailing zeros kept); envelope timestamps as Go's RFC3339Nano (up to nine digits, trailing zeros dropped);
/// <c>subscriptions</c> keys sorted, as Go's JSON encoder writes a map.
/// </summary>
internal static class CoinbaseWireWriter
{
    /// <summary>The default encoder escapes '+' (in <c>current_time</c>'s "+0000" and "m=+"); Go's does not.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string Buy = "BUY";
    public const string Sell = "SELL";
    public const string SnapshotType = "snapshot";
    public const string UpdateType = "update";

    /// <summary>What the REST ticker's <c>exchange</c> field says in captured responses.</summary>
    public const string ExchangeName = "coinbase";

    /// <summary>Seven tick digits plus two zeros: a .NET clock reads 100 ns, Go prints nanoseconds.</summary>
    private const int NanosecondDigits = 9;
    private const long NanosecondsPerTick = 100;

    /// <summary>Room for any decimal: 29 digits, a point and a sign.</summary>
    private const int MaxDecimalTextLength = 31;

    private const string TradeTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
    private const string SecondsFormat = "yyyy-MM-dd'T'HH:mm:ss";
    private const string GoDateTimeFormat = "yyyy-MM-dd HH:mm:ss";

    /// <summary>A <c>market_trades</c> message: one event per list, each with its trades in order.</summary>
    public static void WriteMarketTrades(
        Utf8JsonWriter writer, long sequence, DateTimeOffset timestamp, string eventType, IEnumerable<IReadOnlyList<PrintedTrade>> events,
        CoinbaseSideConvention sides)
    {
        WriteEnvelopeStart(writer, CoinbaseEndpoints.MarketTradesChannel, sequence, timestamp);
        foreach (var trades in events)
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, eventType);
            writer.WriteStartArray("trades"u8);
            foreach (var trade in trades)
            {
                writer.WriteStartObject();
                WriteTradeFields(writer, trade, sides, rest: false);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        WriteEnvelopeEnd(writer);
    }

    /// <summary>The acknowledgement: every current subscription, channels sorted, product ids sorted.</summary>
    public static void WriteSubscriptions(
        Utf8JsonWriter writer, long sequence, DateTimeOffset timestamp, IEnumerable<string> products, bool heartbeats)
    {
        WriteEnvelopeStart(writer, CoinbaseEndpoints.SubscriptionsChannel, sequence, timestamp);
        writer.WriteStartObject();
        writer.WriteStartObject("subscriptions"u8);
        if (heartbeats)
        {
            // Public captures show the heartbeats subscription listed under its own name.
            writer.WriteStartArray(CoinbaseEndpoints.HeartbeatsChannel);
            writer.WriteStringValue(CoinbaseEndpoints.HeartbeatsChannel);
            writer.WriteEndArray();
        }

        var sorted = products.Order(StringComparer.Ordinal).ToList();
        if (sorted.Count > 0)
        {
            writer.WriteStartArray(CoinbaseEndpoints.MarketTradesChannel);
            foreach (var product in sorted)
            {
                writer.WriteStringValue(product);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        WriteEnvelopeEnd(writer);
    }

    /// <summary>A heartbeat: <c>current_time</c> in Go's <c>time.String()</c> form, the counter as a number (as live).</summary>
    public static void WriteHeartbeat(Utf8JsonWriter writer, long sequence, DateTimeOffset timestamp, long counter, TimeSpan monotonic)
    {
        WriteEnvelopeStart(writer, CoinbaseEndpoints.HeartbeatsChannel, sequence, timestamp);
        writer.WriteStartObject();
        writer.WriteString("current_time"u8, GoTimeString(timestamp, monotonic));
        writer.WriteNumber("heartbeat_counter"u8, counter);
        writer.WriteEndObject();
        WriteEnvelopeEnd(writer);
    }

    /// <summary><c>{"type":"error","message":"Failed to subscribe","reason":"…"}</c>: no channel, no sequence number.</summary>
    public static void WriteError(Utf8JsonWriter writer, string message, string reason)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "error"u8);
        writer.WriteString("message"u8, message);
        writer.WriteString("reason"u8, reason);
        writer.WriteEndObject();
    }

    /// <summary>The REST ticker: trades as given (newest first), then the best bid and ask.</summary>
    public static void WriteTicker(
        Utf8JsonWriter writer, IReadOnlyList<PrintedTrade> trades, CoinbaseSideConvention sides, string bestBid, string bestAsk)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("trades"u8);
        foreach (var trade in trades)
        {
            writer.WriteStartObject();
            WriteTradeFields(writer, trade, sides, rest: true);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("best_bid"u8, bestBid);
        writer.WriteString("best_ask"u8, bestAsk);
        writer.WriteEndObject();
    }

    /// <summary><c>{"error":"NOT_FOUND","error_details":"product not found","message":"product not found"}</c>.</summary>
    public static void WriteRestError(Utf8JsonWriter writer, string error, string message)
    {
        writer.WriteStartObject();
        writer.WriteString("error"u8, error);
        writer.WriteString("error_details"u8, message);
        writer.WriteString("message"u8, message);
        writer.WriteEndObject();
    }

    /// <summary>
    /// The wire <c>side</c> of a trade whose taker is <paramref name="takerSide"/>: the taker's own side when the
    /// simulated Coinbase follows the taker convention, the maker's (the opposite) when it follows the docs' maker one.
    /// </summary>
    public static string WireSide(TradeSide takerSide, CoinbaseSideConvention sides) =>
        (takerSide == TradeSide.Buy) == (sides == CoinbaseSideConvention.Taker) ? Buy : Sell;

    /// <summary>A decimal exactly at its own scale: 43250.10 stays "43250.10".</summary>
    public static string DecimalText(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A trade time: RFC 3339, UTC, six fractional digits.</summary>
    public static string TradeTime(UnixMicros time) =>
        time.ToDateTimeOffset().UtcDateTime.ToString(TradeTimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Go's RFC3339Nano: "2023-02-09T20:19:35.39625135Z"; no fraction at all on a whole second.</summary>
    public static string NanoTimestamp(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString(SecondsFormat, CultureInfo.InvariantCulture) + Fraction(instant) + "Z";

    private static void WriteTradeFields(Utf8JsonWriter writer, PrintedTrade trade, CoinbaseSideConvention sides, bool rest)
    {
        writer.WriteString("trade_id"u8, trade.TradeId.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("product_id"u8, CoinbaseSymbols.MarketDataProductId(trade.ExchangeSymbol));
        WriteDecimal(writer, "price"u8, trade.Price);
        WriteDecimal(writer, "size"u8, trade.Quantity);
        if (rest)
        {
            // The REST order: time before side, then the fields captured responses add.
            writer.WriteString("time"u8, TradeTime(trade.TradeTime));
            writer.WriteString("side"u8, WireSide(trade.TakerSide, sides));
            writer.WriteString("bid"u8, ""u8);
            writer.WriteString("ask"u8, ""u8);
            writer.WriteString("exchange"u8, ExchangeName);
        }
        else
        {
            writer.WriteString("side"u8, WireSide(trade.TakerSide, sides));
            writer.WriteString("time"u8, TradeTime(trade.TradeTime));
        }
    }

    private static void WriteDecimal(Utf8JsonWriter writer, ReadOnlySpan<byte> name, decimal value)
    {
        Span<byte> text = stackalloc byte[MaxDecimalTextLength];
        value.TryFormat(text, out var written, default, CultureInfo.InvariantCulture);
        writer.WriteString(name, text[..written]);
    }

    private static void WriteEnvelopeStart(Utf8JsonWriter writer, string channel, long sequence, DateTimeOffset timestamp)
    {
        writer.WriteStartObject();
        writer.WriteString("channel"u8, channel);
        writer.WriteString("client_id"u8, ""u8);
        writer.WriteString("timestamp"u8, NanoTimestamp(timestamp));
        writer.WriteNumber("sequence_num"u8, sequence);
        writer.WriteStartArray("events"u8);
    }

    private static void WriteEnvelopeEnd(Utf8JsonWriter writer)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>"2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105": wall clock, then the monotonic reading.</summary>
    private static string GoTimeString(DateTimeOffset instant, TimeSpan monotonic)
    {
        var seconds = monotonic.Ticks / TimeSpan.TicksPerSecond;
        var nanoseconds = monotonic.Ticks % TimeSpan.TicksPerSecond * NanosecondsPerTick;
        return string.Create(CultureInfo.InvariantCulture,
            $"{instant.UtcDateTime.ToString(GoDateTimeFormat, CultureInfo.InvariantCulture)}{Fraction(instant)} +0000 UTC m=+{seconds}.{nanoseconds:D9}");
    }

    /// <summary>".39625135" for the sub-second part in nanoseconds, trailing zeros dropped; "" for none.</summary>
    private static string Fraction(DateTimeOffset instant)
    {
        var nanoseconds = instant.UtcTicks % TimeSpan.TicksPerSecond * NanosecondsPerTick;
        return nanoseconds == 0
            ? ""
            : "." + nanoseconds.ToString(CultureInfo.InvariantCulture).PadLeft(NanosecondDigits, '0').TrimEnd('0');
    }
}

using System.Text;
using System.Text.Json;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Binance;

/// <summary>
/// Parses one Binance market-data frame (raw <c>&lt;symbol&gt;@trade</c> events, their combined-stream wrapper,
/// request answers and <c>serverShutdown</c>) into a <see cref="BinanceFrame"/>. Pure: no clock, no I/O, no state;
/// a bad frame becomes <see cref="BinanceFrameKind.Rejected"/> with its reason, never an exception.
/// </summary>
public static class BinanceTradeParser
{
    private const int MaxSymbolLength = 32;

    /// <summary>With <see cref="BinanceTimeUnit.Detect"/>, times from here on are microseconds (see there).</summary>
    private const long DetectMicrosecondsFrom = 100_000_000_000_000;

    /// <summary>The largest millisecond count whose microseconds fit in a long.</summary>
    private const long MaxMillisecondTime = long.MaxValue / 1_000;

    public static BinanceFrame Parse(
        ReadOnlySpan<byte> frame, UnixMicros receivedAt, BinanceTimeUnit timeUnit, InstrumentRegistry registry, ExchangeTimeRule timeRule = ExchangeTimeRule.Live)
    {
        // Outside the try, so a field that fails to read still leaves the symbol and id read before it for bronze.
        var envelope = new Fields();
        var inner = new Fields();
        try
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return BinanceFrame.Rejected(TradeRejectReason.MalformedJson, "frame is not a JSON object");
            }

            BinanceFrame? wrapped = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (Classify(ref reader) == Property.Data)
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return BinanceFrame.Rejected(TradeRejectReason.MalformedJson, "combined-stream 'data' is not an object");
                    }

                    ReadObject(ref reader, ref inner);
                    wrapped = Interpret(ref inner, receivedAt, timeUnit, registry, timeRule);
                }
                else
                {
                    ReadProperty(ref reader, ref envelope);
                }
            }

            // Anything after the object but whitespace is malformed; Read throws on it.
            if (reader.Read())
            {
                return BinanceFrame.Rejected(TradeRejectReason.MalformedJson, "malformed JSON: more than one value in the frame");
            }

            return wrapped ?? Interpret(ref envelope, receivedAt, timeUnit, registry, timeRule);
        }
        catch (JsonException e)
        {
            return BinanceFrame.Rejected(TradeRejectReason.MalformedJson, $"malformed JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // The reader reports invalid UTF-8 and lone surrogate escapes only when a string is decoded.
            return BinanceFrame.Rejected(TradeRejectReason.MalformedJson, $"malformed JSON: {e.Message}");
        }
        catch (FieldException e)
        {
            return BinanceFrame.Rejected(e.Reason, e.Message, inner.Symbol ?? envelope.Symbol, inner.TradeId ?? envelope.TradeId);
        }
    }

    private static BinanceFrame Interpret(ref Fields f, UnixMicros receivedAt, BinanceTimeUnit timeUnit, InstrumentRegistry registry, ExchangeTimeRule timeRule)
    {
        if (f.EventType is { } eventType)
        {
            return eventType switch
            {
                "trade" => ToTrade(ref f, receivedAt, timeUnit, registry, timeRule),
                "serverShutdown" => new BinanceFrame(BinanceFrameKind.ServerShutdown),
                _ => new BinanceFrame(BinanceFrameKind.Ignored, Detail: eventType),
            };
        }

        if (f.ErrorMessage is not null)
        {
            return new BinanceFrame(BinanceFrameKind.RequestError, RequestId: f.RequestId ?? 0, Detail: $"{f.ErrorCode}: {f.ErrorMessage}");
        }

        if (f.HasResult && f.RequestId is { } id)
        {
            return new BinanceFrame(BinanceFrameKind.RequestResult, RequestId: id);
        }

        return new BinanceFrame(BinanceFrameKind.Ignored, Detail: "no event type");
    }

    private static BinanceFrame ToTrade(ref Fields f, UnixMicros receivedAt, BinanceTimeUnit timeUnit, InstrumentRegistry registry, ExchangeTimeRule timeRule)
    {
        if (f is not
            {
                Symbol: { } symbol, TradeId: { } tradeId, Price: { } price, Quantity: { } quantity,
                TradeTime: { } tradeTime, BuyerIsMaker: { } buyerIsMaker,
            })
        {
            return BinanceFrame.Rejected(TradeRejectReason.MissingField, $"missing field {MissingField(ref f)}", f.Symbol, f.TradeId);
        }

        BinanceFrame Reject(TradeRejectReason reason, string detail) => BinanceFrame.Rejected(reason, detail, symbol, tradeId);

        if (!registry.TryGetByExchangeSymbol(Exchange.Binance, symbol, out var instrument))
        {
            return Reject(TradeRejectReason.UnknownSymbol, $"unknown symbol '{symbol}'");
        }

        if (tradeId < 0)
        {
            return Reject(TradeRejectReason.InvalidTradeId, $"trade id {tradeId} is negative");
        }

        var microseconds = timeUnit == BinanceTimeUnit.Microsecond
            || (timeUnit == BinanceTimeUnit.Detect && Math.Abs(tradeTime) >= DetectMicrosecondsFrom);
        if (!microseconds && tradeTime is > MaxMillisecondTime or < -MaxMillisecondTime)
        {
            return Reject(TradeRejectReason.InvalidTimestamp, $"trade time {tradeTime} ms is outside the representable range");
        }

        var exchangeTime = microseconds ? new UnixMicros(tradeTime) : UnixMicros.FromMilliseconds(tradeTime);

        if (TradeValidator.CheckPrice(price) is { } badPrice)
        {
            return Reject(TradeRejectReason.InvalidPrice, badPrice);
        }

        if (TradeValidator.CheckQuantity(quantity) is { } badQuantity)
        {
            return Reject(TradeRejectReason.InvalidQuantity, badQuantity);
        }

        if (TradeValidator.CheckExchangeTime(exchangeTime, receivedAt, timeRule) is { } badTime)
        {
            return Reject(TradeRejectReason.InvalidTimestamp, badTime);
        }

        // 'm' says whether the buyer was the maker; the taker (aggressor) is then the seller.
        var side = buyerIsMaker ? TradeSide.Sell : TradeSide.Buy;
        var trade = new Trade(instrument, TradeId.FromNumber(tradeId), price, quantity, side, exchangeTime, receivedAt);
        return new BinanceFrame(BinanceFrameKind.Trade, trade);
    }

    private static string MissingField(ref Fields f) =>
        f.Symbol is null ? "'s' (symbol)"
        : f.TradeId is null ? "'t' (trade id)"
        : f.Price is null ? "'p' (price)"
        : f.Quantity is null ? "'q' (quantity)"
        : f.TradeTime is null ? "'T' (trade time)"
        : "'m' (buyer is maker)";

    private static void ReadObject(ref Utf8JsonReader reader, ref Fields fields)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadProperty(ref reader, ref fields);
        }
    }

    private static void ReadProperty(ref Utf8JsonReader reader, ref Fields f)
    {
        switch (Classify(ref reader))
        {
            case Property.EventType: f.EventType = ReadEventType(ref reader); break;
            case Property.Symbol: f.Symbol = ReadSymbol(ref reader); break;
            case Property.TradeId: f.TradeId = ReadInt64(ref reader, "t"); break;
            case Property.Price: f.Price = ReadDecimalString(ref reader, "p"); break;
            case Property.Quantity: f.Quantity = ReadDecimalString(ref reader, "q"); break;
            case Property.TradeTime: f.TradeTime = ReadInt64(ref reader, "T"); break;
            case Property.BuyerIsMaker: f.BuyerIsMaker = ReadBoolean(ref reader, "m"); break;
            case Property.RequestId: f.RequestId = ReadRequestId(ref reader); break;
            case Property.Result:
                f.HasResult = true;
                reader.Read();
                reader.Skip();
                break;
            case Property.ErrorCode: f.ErrorCode = ReadInt64(ref reader, "code"); break;
            case Property.ErrorMessage: f.ErrorMessage = ReadString(ref reader); break;
            case Property.Error: ReadErrorObject(ref reader, ref f); break;
            default:
                // 'E', 'M', the retired 'b'/'a' order ids, 'stream' and anything Binance adds later.
                reader.Read();
                reader.Skip();
                break;
        }
    }

    /// <summary>
    /// Names the property under the reader. Binance names are case-sensitive: 'T' is the trade time and 't' the
    /// trade id, 'E' the event time and 'e' the event type.
    /// </summary>
    private static Property Classify(ref Utf8JsonReader reader)
    {
        Span<byte> unescaped = stackalloc byte[8];
        scoped var name = reader.ValueSpan;
        if (reader.ValueIsEscaped)
        {
            if (reader.ValueSpan.Length > unescaped.Length)
            {
                return Property.Other;
            }

            name = unescaped[..reader.CopyString(unescaped)];
        }

        return name.Length switch
        {
            1 => name[0] switch
            {
                (byte)'e' => Property.EventType,
                (byte)'s' => Property.Symbol,
                (byte)'t' => Property.TradeId,
                (byte)'p' => Property.Price,
                (byte)'q' => Property.Quantity,
                (byte)'T' => Property.TradeTime,
                (byte)'m' => Property.BuyerIsMaker,
                _ => Property.Other,
            },
            2 when name.SequenceEqual("id"u8) => Property.RequestId,
            3 when name.SequenceEqual("msg"u8) => Property.ErrorMessage,
            4 when name.SequenceEqual("code"u8) => Property.ErrorCode,
            4 when name.SequenceEqual("data"u8) => Property.Data,
            5 when name.SequenceEqual("error"u8) => Property.Error,
            6 when name.SequenceEqual("result"u8) => Property.Result,
            _ => Property.Other,
        };
    }

    private static void ReadErrorObject(ref Utf8JsonReader reader, ref Fields f)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            f.ErrorMessage = "error";
            return;
        }

        var inner = new Fields();
        ReadObject(ref reader, ref inner);
        f.ErrorCode = inner.ErrorCode;
        f.ErrorMessage = inner.ErrorMessage ?? "error";
    }

    private static string ReadEventType(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new FieldException("field 'e' (event type) must be a string");
        }

        // The two event types K2 acts on are matched without allocating; others are rare and named in the result.
        return reader.ValueTextEquals("trade"u8) ? "trade"
            : reader.ValueTextEquals("serverShutdown"u8) ? "serverShutdown"
            : reader.GetString()!;
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
    }

    private static string ReadSymbol(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.ValueSpan.Length is 0 or > MaxSymbolLength)
        {
            throw new FieldException("field 's' (symbol) must be a short plain string");
        }

        return SymbolCache.Get(reader.ValueSpan);
    }

    private static long ReadInt64(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
        {
            throw new FieldException($"field '{field}' must be an integer");
        }

        return value;
    }

    private static long? ReadRequestId(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var id) ? id : null;
    }

    private static bool ReadBoolean(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw new FieldException($"field '{field}' must be true or false"),
        };
    }

    private static decimal ReadDecimalString(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !DecimalText.TryParse(reader.ValueSpan, out var value))
        {
            // An unreadable price is an invalid price (for metrics and bronze), not merely an odd field.
            throw new FieldException($"field '{field}' must be a decimal string", field == "p" ? TradeRejectReason.InvalidPrice : TradeRejectReason.InvalidQuantity);
        }

        return value;
    }

    /// <summary>The fields of one object, as far as K2 uses them.</summary>
    private struct Fields
    {
        public string? EventType;
        public string? Symbol;
        public long? TradeId;
        public decimal? Price;
        public decimal? Quantity;
        public long? TradeTime;
        public bool? BuyerIsMaker;
        public long? RequestId;
        public bool HasResult;
        public long? ErrorCode;
        public string? ErrorMessage;
    }

    private enum Property : byte
    {
        Other,
        EventType,
        Symbol,
        TradeId,
        Price,
        Quantity,
        TradeTime,
        BuyerIsMaker,
        RequestId,
        Result,
        ErrorCode,
        ErrorMessage,
        Error,
        Data,
    }

    /// <summary>A field of the wrong type; caught in <see cref="Parse"/> and turned into a rejection.</summary>
    private sealed class FieldException(string message, TradeRejectReason reason = TradeRejectReason.InvalidField) : Exception(message)
    {
        public TradeRejectReason Reason { get; } = reason;
    }

    /// <summary>
    /// Symbols repeat on every frame; keeping one string per distinct symbol avoids an allocation per trade.
    /// Unknown symbols are interned too, but only up to a bound, so hostile input cannot grow it without limit.
    /// </summary>
    private static class SymbolCache
    {
        private const int MaxEntries = 4096;
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Entries = new(StringComparer.Ordinal);

        public static string Get(ReadOnlySpan<byte> utf8)
        {
            Span<char> chars = stackalloc char[MaxSymbolLength];
            var length = Encoding.UTF8.GetChars(utf8, chars);
            var lookup = Entries.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(chars[..length], out var existing))
            {
                return existing;
            }

            var text = new string(chars[..length]);
            return Entries.Count < MaxEntries ? Entries.GetOrAdd(text, text) : text;
        }
    }
}

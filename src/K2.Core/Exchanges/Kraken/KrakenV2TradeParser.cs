using System.Globalization;
using System.Text;
using System.Text.Json;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Kraken;

/// <summary>
/// Parses one Kraken WebSocket v2 frame: <c>trade</c> snapshots and updates (several trades each), subscription and
/// unsubscription results, heartbeats, pongs, status messages and bare errors. Pure: no clock, no I/O, no state; a
/// bad frame becomes <see cref="KrakenV2FrameKind.Rejected"/> and a bad trade a rejection of that trade alone, never
/// an exception.
/// </summary>
/// <remarks>
/// Prices and quantities are JSON numbers, read as exact decimals from the token text (never through double); one
/// with an exponent is accepted when exactly representable. Timestamps are RFC 3339, read to the microsecond with
/// finer digits truncated. <c>side</c> is already the taker's side. A frame that is not valid JSON adds no trades at
/// all, even those before the fault: a truncated frame cannot be trusted.
/// </remarks>
public static class KrakenV2TradeParser
{
    private const int MaxDepth = 16;

    /// <summary>Property names K2 reads are at most this long; longer ones are skipped unread.</summary>
    private const int MaxNameLength = 16;

    /// <summary>Room for a timestamp with a nanosecond fraction and an offset, and then some.</summary>
    private const int MaxTimestampLength = 64;

    public static KrakenV2Frame Parse(
        ReadOnlySpan<byte> frame, UnixMicros receivedAt, InstrumentRegistry registry, List<Trade> trades, List<TradeRejection> rejections,
        ExchangeTimeRule timeRule = ExchangeTimeRule.Live)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(trades);
        ArgumentNullException.ThrowIfNull(rejections);

        var context = new Context(receivedAt, timeRule, registry, trades, rejections);
        try
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return context.RejectFrame(TradeRejectReason.MalformedJson, "frame is not a JSON object");
            }

            var envelope = new Envelope();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadEnvelopeProperty(ref reader, frame, ref envelope, in context);
            }

            // Anything after the object but whitespace is malformed; Read throws on it.
            if (reader.Read())
            {
                return context.RejectFrame(TradeRejectReason.MalformedJson, "malformed JSON: more than one value in the frame");
            }

            // "data" came before "channel": the first pass could not know what it held.
            if (envelope.DataSkipped && envelope.Channel is Channel.Trade or Channel.Status)
            {
                ReadDataAgain(frame, ref envelope, context);
            }

            return Interpret(ref envelope, context);
        }
        catch (JsonException e)
        {
            return context.RejectFrame(TradeRejectReason.MalformedJson, $"malformed JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // The reader reports invalid UTF-8 and lone surrogate escapes only when a string is decoded.
            return context.RejectFrame(TradeRejectReason.MalformedJson, $"malformed JSON: {e.Message}");
        }
        catch (FieldException e)
        {
            return context.RejectFrame(e.Reason, e.Message);
        }
    }

    private static KrakenV2Frame Interpret(ref Envelope e, in Context context)
    {
        switch (e.Channel)
        {
            case Channel.Trade when !e.HasData:
                return context.RejectFrame(TradeRejectReason.MissingField, "trade message without 'data'");
            case Channel.Trade:
                return new KrakenV2Frame(KrakenV2FrameKind.Trades, e.TradeType, context.AddedTrades, context.AddedRejections);
            case Channel.Heartbeat:
                return new KrakenV2Frame(KrakenV2FrameKind.Heartbeat);
            case Channel.Status:
                return new KrakenV2Frame(KrakenV2FrameKind.Status, SystemStatus: e.SystemStatus, ConnectionId: e.ConnectionId);
            case Channel.Other:
                return new KrakenV2Frame(KrakenV2FrameKind.Ignored, Channel: e.ChannelName, Detail: $"channel '{e.ChannelName}'");
        }

        var success = e.Success ?? e.Error is null;
        switch (e.Method)
        {
            case Method.Subscribe or Method.Unsubscribe:
                return new KrakenV2Frame(
                    e.Method == Method.Subscribe ? KrakenV2FrameKind.SubscribeResult : KrakenV2FrameKind.UnsubscribeResult,
                    Success: success, RequestId: e.RequestId, Symbol: e.ResultSymbol ?? e.Symbol, Channel: e.ResultChannel,
                    Error: e.Error, TimeIn: e.TimeIn, TimeOut: e.TimeOut);
            case Method.Pong:
                return new KrakenV2Frame(KrakenV2FrameKind.Pong, Success: success, RequestId: e.RequestId, Error: e.Error, TimeIn: e.TimeIn, TimeOut: e.TimeOut);
            case Method.Other:
                return new KrakenV2Frame(
                    KrakenV2FrameKind.Ignored, Success: success, RequestId: e.RequestId, Error: e.Error, Detail: $"method '{e.MethodName}'");
        }

        return e.Error is not null
            ? new KrakenV2Frame(KrakenV2FrameKind.Error, RequestId: e.RequestId, Error: e.Error)
            : new KrakenV2Frame(KrakenV2FrameKind.Ignored, Detail: "neither a channel message nor a method result");
    }

    private static void ReadEnvelopeProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> frame, ref Envelope e, in Context context)
    {
        switch (ClassifyEnvelope(ref reader))
        {
            case EnvelopeProperty.Channel:
                (e.Channel, e.ChannelName) = ReadChannel(ref reader);
                break;
            case EnvelopeProperty.Type:
                e.TradeType = ReadTradeType(ref reader);
                break;
            case EnvelopeProperty.Data:
                e.HasData = true;
                if (e.Channel is Channel.Trade)
                {
                    ReadTradeData(ref reader, context);
                }
                else if (e.Channel is Channel.Status)
                {
                    ReadStatusData(ref reader, ref e);
                }
                else
                {
                    // The channel is unknown yet (or irrelevant); a second pass reads the data if it matters.
                    e.DataSkipped = e.Channel is null;
                    SkipValue(ref reader);
                }

                break;
            case EnvelopeProperty.Method:
                (e.Method, e.MethodName) = ReadMethod(ref reader);
                break;
            case EnvelopeProperty.Success:
                reader.Read();
                e.Success = reader.TokenType switch { JsonTokenType.True => true, JsonTokenType.False => false, _ => null };
                reader.Skip();
                break;
            case EnvelopeProperty.Error:
                e.Error = ReadErrorText(ref reader, frame);
                break;
            case EnvelopeProperty.RequestId:
                e.RequestId = ReadOptionalInt64(ref reader);
                break;
            case EnvelopeProperty.Symbol:
                e.Symbol = ReadOptionalString(ref reader);
                break;
            case EnvelopeProperty.Result:
                ReadResult(ref reader, ref e);
                break;
            case EnvelopeProperty.TimeIn:
                e.TimeIn = ReadOptionalTime(ref reader);
                break;
            case EnvelopeProperty.TimeOut:
                e.TimeOut = ReadOptionalTime(ref reader);
                break;
            default:
                SkipValue(ref reader);
                break;
        }
    }

    private static void ReadDataAgain(ReadOnlySpan<byte> frame, ref Envelope e, in Context context)
    {
        var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = MaxDepth });
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (ClassifyEnvelope(ref reader) != EnvelopeProperty.Data)
            {
                SkipValue(ref reader);
            }
            else if (e.Channel is Channel.Trade)
            {
                ReadTradeData(ref reader, context);
            }
            else
            {
                ReadStatusData(ref reader, ref e);
            }
        }
    }

    private static void ReadTradeData(ref Utf8JsonReader reader, in Context context)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FieldException(TradeRejectReason.InvalidField, "'data' of a trade message must be an array");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                ReadTrade(ref reader, context);
            }
            else
            {
                reader.Skip();
                context.RejectTrade(TradeRejectReason.InvalidField, "a trade must be a JSON object", null, null);
            }
        }
    }

    /// <summary>Reads one trade object and either adds the trade or a rejection naming what was readable of it.</summary>
    private static void ReadTrade(ref Utf8JsonReader reader, in Context context)
    {
        Span<char> symbol = stackalloc char[KrakenSymbols.MaxSymbolLength];
        var symbolLength = -1;
        long? tradeId = null;
        string? unreadableTradeId = null;
        decimal? price = null, quantity = null;
        TradeSide? side = null;
        UnixMicros? timestamp = null;
        (TradeRejectReason Reason, string Detail)? problem = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = ClassifyTrade(ref reader);
            reader.Read();
            switch (property)
            {
                case TradeProperty.Symbol:
                    symbolLength = ReadSymbol(ref reader, symbol);
                    problem ??= symbolLength < 0 ? (TradeRejectReason.InvalidField, "'symbol' must be a short string") : null;
                    break;
                case TradeProperty.Side:
                    side = reader.TokenType != JsonTokenType.String ? null
                        : reader.ValueTextEquals("buy"u8) ? TradeSide.Buy
                        : reader.ValueTextEquals("sell"u8) ? TradeSide.Sell
                        : null;
                    reader.Skip();
                    problem ??= side is null ? (TradeRejectReason.InvalidField, "'side' must be \"buy\" or \"sell\"") : null;
                    break;
                case TradeProperty.Price:
                    price = ReadNumber(ref reader, "price", TradeRejectReason.InvalidPrice, ref problem);
                    break;
                case TradeProperty.Quantity:
                    quantity = ReadNumber(ref reader, "qty", TradeRejectReason.InvalidQuantity, ref problem);
                    break;
                case TradeProperty.TradeId:
                    (tradeId, unreadableTradeId) = ReadTradeId(ref reader);
                    problem ??= tradeId is null ? (TradeRejectReason.InvalidField, "'trade_id' must be an integer") : null;
                    break;
                case TradeProperty.Timestamp:
                    timestamp = ReadTime(ref reader);
                    problem ??= timestamp is null ? (TradeRejectReason.InvalidTimestamp, "'timestamp' must be an RFC 3339 time") : null;
                    break;
                default:
                    // ord_type (descriptive, not stored) and anything Kraken adds later.
                    reader.Skip();
                    break;
            }
        }

        if (problem is { } invalid)
        {
            context.RejectTrade(invalid.Reason, invalid.Detail, RawSymbol(symbol, symbolLength), RawId(tradeId, unreadableTradeId));
            return;
        }

        if (symbolLength < 0 || tradeId is not { } id || price is not { } p || quantity is not { } q || side is not { } s || timestamp is not { } t)
        {
            var missing = symbolLength < 0 ? "symbol" : tradeId is null ? "trade_id" : price is null ? "price"
                : quantity is null ? "qty" : side is null ? "side" : "timestamp";
            context.RejectTrade(TradeRejectReason.MissingField, $"missing field '{missing}'", RawSymbol(symbol, symbolLength), RawId(tradeId, unreadableTradeId));
            return;
        }

        if (!KrakenSymbols.TryGetInstrument(context.Registry, symbol[..symbolLength], out var instrument))
        {
            var unknown = RawSymbol(symbol, symbolLength);
            context.RejectTrade(TradeRejectReason.UnknownSymbol, $"unknown symbol '{unknown}'", unknown, RawId(tradeId, unreadableTradeId));
            return;
        }

        var rejected = id < 0 ? (TradeRejectReason.InvalidTradeId, $"trade id {id} is negative")
            : TradeValidator.CheckPrice(p) is { } badPrice ? (TradeRejectReason.InvalidPrice, badPrice)
            : TradeValidator.CheckQuantity(q) is { } badQuantity ? (TradeRejectReason.InvalidQuantity, badQuantity)
            : TradeValidator.CheckExchangeTime(t, context.ReceivedAt, context.TimeRule) is { } badTime ? (TradeRejectReason.InvalidTimestamp, badTime)
            : ((TradeRejectReason, string)?)null;
        if (rejected is { } reason)
        {
            context.RejectTrade(reason.Item1, reason.Item2, RawSymbol(symbol, symbolLength), RawId(tradeId, unreadableTradeId));
            return;
        }

        context.Trades.Add(new Trade(instrument, TradeId.FromNumber(id), p, q, s, t, context.ReceivedAt));
    }

    /// <summary>The trade id as written, for a rejection; accepted trades never turn their id into text.</summary>
    private static string? RawId(long? id, string? unreadable) => id?.ToString(CultureInfo.InvariantCulture) ?? unreadable;

    /// <summary>The symbol as read, for a rejection; null when it was missing or unreadable.</summary>
    private static string? RawSymbol(ReadOnlySpan<char> symbol, int length) => length < 0 ? null : new string(symbol[..length]);

    /// <summary>A price or quantity: a JSON number read exactly. A string, even of digits, is not Kraken's format.</summary>
    private static decimal? ReadNumber(
        ref Utf8JsonReader reader, string field, TradeRejectReason unrepresentable, ref (TradeRejectReason, string)? problem)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            problem ??= (TradeRejectReason.InvalidField, $"'{field}' must be a JSON number, not {Describe(reader.TokenType)}");
            reader.Skip();
            return null;
        }

        if (KrakenNumber.TryParseDecimal(reader.ValueSpan, out var value))
        {
            return value;
        }

        problem ??= (unrepresentable, $"'{field}' {KrakenNumber.Describe(reader.ValueSpan)} is not exactly representable as a decimal");
        return null;
    }

    /// <summary>The id; or null and, when there is one to keep, the text of a value that is not an integer.</summary>
    private static (long? Id, string? Unreadable) ReadTradeId(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out var id):
                return (id, null);
            case JsonTokenType.Number:
                return (null, KrakenNumber.Describe(reader.ValueSpan));
            case JsonTokenType.String when reader.ValueSpan.Length <= KrakenSymbols.MaxSymbolLength:
                return (null, reader.GetString());
            default:
                reader.Skip();
                return (null, null);
        }
    }

    /// <summary>Copies a string value into <paramref name="destination"/>; -1 when it is not a string or too long.</summary>
    private static int ReadSymbol(ref Utf8JsonReader reader, scoped Span<char> destination)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length is 0 || reader.ValueSpan.Length > destination.Length)
        {
            reader.Skip();
            return -1;
        }

        Span<byte> unescaped = stackalloc byte[KrakenSymbols.MaxSymbolLength];
        var utf8 = reader.ValueIsEscaped ? unescaped[..reader.CopyString(unescaped)] : reader.ValueSpan;
        // Invalid UTF-8 becomes U+FFFD here (and then an unknown symbol); a bad escape throws, rejecting the frame.
        return Encoding.UTF8.GetChars(utf8, destination);
    }

    private static UnixMicros? ReadTime(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > MaxTimestampLength)
        {
            reader.Skip();
            return null;
        }

        Span<byte> unescaped = stackalloc byte[MaxTimestampLength];
        var utf8 = reader.ValueIsEscaped ? unescaped[..reader.CopyString(unescaped)] : reader.ValueSpan;
        return KrakenTime.TryParseRfc3339(utf8, out var time) ? time : null;
    }

    private static UnixMicros? ReadOptionalTime(ref Utf8JsonReader reader)
    {
        reader.Read();
        return ReadTime(ref reader);
    }

    private static void ReadStatusData(ref Utf8JsonReader reader, ref Envelope e)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSystem = reader.ValueTextEquals("system"u8);
                var isConnectionId = reader.ValueTextEquals("connection_id"u8);
                reader.Read();
                if (isSystem && reader.TokenType == JsonTokenType.String)
                {
                    e.SystemStatus = reader.ValueTextEquals("online"u8) ? KrakenSystemStatus.Online
                        : reader.ValueTextEquals("maintenance"u8) ? KrakenSystemStatus.Maintenance
                        : reader.ValueTextEquals("cancel_only"u8) ? KrakenSystemStatus.CancelOnly
                        : reader.ValueTextEquals("post_only"u8) ? KrakenSystemStatus.PostOnly
                        : KrakenSystemStatus.Unknown;
                }
                else if (isConnectionId && reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var id))
                {
                    e.ConnectionId = id;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    /// <summary>The <c>result</c> object of a request's answer: the channel and symbol it is about.</summary>
    private static void ReadResult(ref Utf8JsonReader reader, ref Envelope e)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isChannel = reader.ValueTextEquals("channel"u8);
            var isSymbol = reader.ValueTextEquals("symbol"u8);
            reader.Read();
            if ((isChannel || isSymbol) && reader.TokenType == JsonTokenType.String)
            {
                if (isChannel)
                {
                    e.ResultChannel = reader.ValueTextEquals("trade"u8) ? KrakenEndpoints.TradeChannel : reader.GetString();
                }
                else
                {
                    e.ResultSymbol = reader.GetString();
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static (Channel, string?) ReadChannel(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new FieldException(TradeRejectReason.InvalidField, "'channel' must be a string");
        }

        // The channels K2 acts on are matched without allocating; others are rare and named in the result.
        return reader.ValueTextEquals("trade"u8) ? (Channel.Trade, KrakenEndpoints.TradeChannel)
            : reader.ValueTextEquals("heartbeat"u8) ? (Channel.Heartbeat, KrakenEndpoints.HeartbeatChannel)
            : reader.ValueTextEquals("status"u8) ? (Channel.Status, KrakenEndpoints.StatusChannel)
            : (Channel.Other, reader.GetString());
    }

    private static (Method, string?) ReadMethod(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return (Method.Other, "(not a string)");
        }

        return reader.ValueTextEquals("subscribe"u8) ? (Method.Subscribe, KrakenEndpoints.SubscribeMethod)
            : reader.ValueTextEquals("unsubscribe"u8) ? (Method.Unsubscribe, KrakenEndpoints.UnsubscribeMethod)
            : reader.ValueTextEquals("pong"u8) ? (Method.Pong, KrakenEndpoints.PongMethod)
            : (Method.Other, reader.GetString());
    }

    private static KrakenV2TradeMessageType ReadTradeType(ref Utf8JsonReader reader)
    {
        reader.Read();
        var type = reader.TokenType != JsonTokenType.String ? KrakenV2TradeMessageType.Unknown
            : reader.ValueTextEquals("update"u8) ? KrakenV2TradeMessageType.Update
            : reader.ValueTextEquals("snapshot"u8) ? KrakenV2TradeMessageType.Snapshot
            : KrakenV2TradeMessageType.Unknown;
        reader.Skip();
        return type;
    }

    /// <summary>The error text; an error that is not a string (an array, as on REST) is kept as its raw JSON.</summary>
    private static string ReadErrorText(ref Utf8JsonReader reader, ReadOnlySpan<byte> frame)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString()!;
        }

        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return Encoding.UTF8.GetString(frame[start..(int)reader.BytesConsumed]);
    }

    private static string? ReadOptionalString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static long? ReadOptionalInt64(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        reader.Skip();
        return null;
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => token.ToString(),
    };

    private static EnvelopeProperty ClassifyEnvelope(ref Utf8JsonReader reader)
    {
        Span<byte> buffer = stackalloc byte[MaxNameLength];
        scoped var name = reader.ValueSpan;
        if (reader.ValueIsEscaped)
        {
            name = name.Length > buffer.Length ? default : buffer[..reader.CopyString(buffer)];
        }

        return name switch
        {
            _ when name.SequenceEqual("channel"u8) => EnvelopeProperty.Channel,
            _ when name.SequenceEqual("type"u8) => EnvelopeProperty.Type,
            _ when name.SequenceEqual("data"u8) => EnvelopeProperty.Data,
            _ when name.SequenceEqual("method"u8) => EnvelopeProperty.Method,
            _ when name.SequenceEqual("success"u8) => EnvelopeProperty.Success,
            // Kraken has been seen to spell the rate-limit error both ways: {"Error":"Exceeded msg rate"}.
            _ when name.SequenceEqual("error"u8) || name.SequenceEqual("Error"u8) => EnvelopeProperty.Error,
            _ when name.SequenceEqual("req_id"u8) => EnvelopeProperty.RequestId,
            _ when name.SequenceEqual("symbol"u8) => EnvelopeProperty.Symbol,
            _ when name.SequenceEqual("result"u8) => EnvelopeProperty.Result,
            _ when name.SequenceEqual("time_in"u8) => EnvelopeProperty.TimeIn,
            _ when name.SequenceEqual("time_out"u8) => EnvelopeProperty.TimeOut,
            _ => EnvelopeProperty.Other,
        };
    }

    private static TradeProperty ClassifyTrade(ref Utf8JsonReader reader)
    {
        Span<byte> buffer = stackalloc byte[MaxNameLength];
        scoped var name = reader.ValueSpan;
        if (reader.ValueIsEscaped)
        {
            name = name.Length > buffer.Length ? default : buffer[..reader.CopyString(buffer)];
        }

        return name switch
        {
            _ when name.SequenceEqual("symbol"u8) => TradeProperty.Symbol,
            _ when name.SequenceEqual("side"u8) => TradeProperty.Side,
            _ when name.SequenceEqual("price"u8) => TradeProperty.Price,
            _ when name.SequenceEqual("qty"u8) => TradeProperty.Quantity,
            _ when name.SequenceEqual("trade_id"u8) => TradeProperty.TradeId,
            _ when name.SequenceEqual("timestamp"u8) => TradeProperty.Timestamp,
            _ => TradeProperty.Other,
        };
    }

    /// <summary>What the parse so far added to the caller's lists, so a frame found malformed can take it back.</summary>
    private readonly struct Context(
        UnixMicros receivedAt, ExchangeTimeRule timeRule, InstrumentRegistry registry, List<Trade> trades, List<TradeRejection> rejections)
    {
        private readonly int _tradesBefore = trades.Count;
        private readonly int _rejectionsBefore = rejections.Count;

        public UnixMicros ReceivedAt { get; } = receivedAt;
        public ExchangeTimeRule TimeRule { get; } = timeRule;
        public InstrumentRegistry Registry { get; } = registry;
        public List<Trade> Trades { get; } = trades;

        public int AddedTrades => Trades.Count - _tradesBefore;
        public int AddedRejections => _rejections.Count - _rejectionsBefore;

        private readonly List<TradeRejection> _rejections = rejections;

        public void RejectTrade(TradeRejectReason reason, string detail, string? rawSymbol, string? rawTradeId) =>
            _rejections.Add(new TradeRejection(reason, detail, rawSymbol, rawTradeId));

        /// <summary>Withdraws whatever this frame added and rejects the frame as a whole.</summary>
        public KrakenV2Frame RejectFrame(TradeRejectReason reason, string detail)
        {
            Trades.RemoveRange(_tradesBefore, Trades.Count - _tradesBefore);
            _rejections.RemoveRange(_rejectionsBefore, _rejections.Count - _rejectionsBefore);
            _rejections.Add(new TradeRejection(reason, detail));
            return new KrakenV2Frame(KrakenV2FrameKind.Rejected, RejectedCount: 1, RejectReason: reason, Detail: detail);
        }
    }

    /// <summary>The envelope fields of one frame, as far as K2 uses them.</summary>
    private struct Envelope
    {
        public Channel? Channel;
        public string? ChannelName;
        public KrakenV2TradeMessageType TradeType;
        public bool HasData;
        public bool DataSkipped;
        public Method? Method;
        public string? MethodName;
        public bool? Success;
        public string? Error;
        public long? RequestId;
        public string? Symbol;
        public string? ResultChannel;
        public string? ResultSymbol;
        public UnixMicros? TimeIn;
        public UnixMicros? TimeOut;
        public KrakenSystemStatus SystemStatus;
        public ulong? ConnectionId;
    }

    private enum Channel : byte
    {
        Trade,
        Heartbeat,
        Status,
        Other,
    }

    private enum Method : byte
    {
        Subscribe,
        Unsubscribe,
        Pong,
        Other,
    }

    private enum EnvelopeProperty : byte
    {
        Other,
        Channel,
        Type,
        Data,
        Method,
        Success,
        Error,
        RequestId,
        Symbol,
        Result,
        TimeIn,
        TimeOut,
    }

    private enum TradeProperty : byte
    {
        Other,
        Symbol,
        Side,
        Price,
        Quantity,
        TradeId,
        Timestamp,
    }

    /// <summary>A frame-level field of the wrong type; caught in <see cref="Parse"/> and turned into a rejection.</summary>
    private sealed class FieldException(TradeRejectReason reason, string message) : Exception(message)
    {
        public TradeRejectReason Reason { get; } = reason;
    }
}

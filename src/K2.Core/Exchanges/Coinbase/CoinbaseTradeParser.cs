using System.Buffers.Text;
using System.Text.Json;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Coinbase;

/// <summary>
/// Parses one Coinbase Advanced Trade market-data frame: <c>market_trades</c> (a <c>snapshot</c> or <c>update</c>, each
/// message holding any number of events and each event any number of trades), <c>heartbeats</c>, <c>subscriptions</c>
/// and <c>{"type":"error"}</c>. Pure: no clock, no I/O, no state; never throws on bad input.
/// </summary>
/// <remarks>
/// <para>Every trade of every event is kept (ccxt once kept only the first trade of a message: ccxt/ccxt#27606). A
/// trade that is unreadable or invalid is rejected on its own, with the product and trade id when they were readable;
/// a frame that is broken as a whole (malformed JSON, a mistyped envelope) is rejected as a whole and adds nothing but
/// its one rejection, even if some of its trades were read before the fault.</para>
/// <para>Side: Advanced Trade's docs say <c>side</c> is the maker's; K2 reads it as the taker's by default and inverts it
/// under <see cref="CoinbaseSideConvention.Maker"/>. See <see cref="CoinbaseTradeReader.TakerSide"/> and
/// docs/EXCHANGES.md, "Coinbase side semantics".</para>
/// <para>Times: trade <c>time</c> and the envelope <c>timestamp</c> are RFC 3339 with up to nine fractional digits;
/// they become exact <see cref="UnixMicros"/>, digits below a microsecond truncated (<see cref="CoinbaseTimestamps"/>).</para>
/// <para>Property order is free: envelope fields may follow <c>events</c>, so trades are read before the channel is
/// known and dropped again if the channel is not <c>market_trades</c>.</para>
/// </remarks>
public static class CoinbaseTradeParser
{
    /// <summary>envelope → events → event → trades → trade is five levels; room for what Coinbase may nest later.</summary>
    private const int MaxDepth = 16;

    public static CoinbaseFrame Parse(
        ReadOnlySpan<byte> frame, UnixMicros receivedAt, InstrumentRegistry registry, CoinbaseSideConvention sides,
        List<Trade> trades, List<TradeRejection> rejections, ExchangeTimeRule timeRule = ExchangeTimeRule.Live)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(trades);
        ArgumentNullException.ThrowIfNull(rejections);
        var sink = new TradeSink(registry, receivedAt, timeRule, sides, trades, rejections, trades.Count, rejections.Count);
        try
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return sink.RejectFrame(TradeRejectReason.MalformedJson, "frame is not a JSON object");
            }

            var envelope = new Envelope();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadEnvelopeProperty(ref reader, ref envelope, in sink);
            }

            // Anything after the object but whitespace is malformed; Read throws on it.
            if (reader.Read())
            {
                return sink.RejectFrame(TradeRejectReason.MalformedJson, "malformed JSON: more than one value in the frame");
            }

            return Interpret(ref envelope, in sink);
        }
        catch (JsonException e)
        {
            return sink.RejectFrame(TradeRejectReason.MalformedJson, $"malformed JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // The reader reports invalid UTF-8 and lone surrogate escapes only when a string is decoded.
            return sink.RejectFrame(TradeRejectReason.MalformedJson, $"malformed JSON: {e.Message}");
        }
        catch (FieldException e)
        {
            return sink.RejectFrame(e.Reason, e.Message);
        }
    }

    private static CoinbaseFrame Interpret(ref Envelope e, in TradeSink sink)
    {
        if (e.Type == TypeError)
        {
            sink.Rollback();
            return new CoinbaseFrame(CoinbaseFrameKind.Error, e.SequenceNum, e.Channel, Timestamp: e.Timestamp,
                ErrorMessage: e.Message ?? "error", Detail: e.Reason);
        }

        if (e.Channel is null)
        {
            if (e.HasEvents)
            {
                return sink.RejectFrame(TradeRejectReason.MissingField, "missing field 'channel'");
            }

            sink.Rollback();
            return new CoinbaseFrame(CoinbaseFrameKind.Ignored, e.SequenceNum, Detail: e.Type ?? "no channel");
        }

        if (!e.HasEvents)
        {
            // A request echoed back ({"type":"subscribe","channel":…}) carries a type and no events.
            if (e.Type is not null)
            {
                sink.Rollback();
                return new CoinbaseFrame(CoinbaseFrameKind.Ignored, e.SequenceNum, e.Channel, Detail: e.Type);
            }

            return sink.RejectFrame(TradeRejectReason.MissingField, "missing field 'events'");
        }

        switch (e.Channel)
        {
            case CoinbaseEndpoints.MarketTradesChannel:
                return new CoinbaseFrame(CoinbaseFrameKind.MarketTrades, e.SequenceNum, e.Channel, e.EventType, Timestamp: e.Timestamp,
                    TradeCount: sink.Trades.Count - sink.TradesBefore, RejectedTradeCount: sink.Rejections.Count - sink.RejectionsBefore);
            case CoinbaseEndpoints.HeartbeatsChannel:
                if (e.HeartbeatCounter is not { } counter)
                {
                    return sink.RejectFrame(TradeRejectReason.MissingField, "missing field 'heartbeat_counter'");
                }

                sink.Rollback();
                return new CoinbaseFrame(CoinbaseFrameKind.Heartbeat, e.SequenceNum, e.Channel, HeartbeatCounter: counter, Timestamp: e.Timestamp);
            case CoinbaseEndpoints.SubscriptionsChannel:
                sink.Rollback();
                return new CoinbaseFrame(CoinbaseFrameKind.Subscriptions, e.SequenceNum, e.Channel, Timestamp: e.Timestamp,
                    Subscriptions: e.Subscriptions ?? new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal));
            default:
                // Other channels (ticker, level2…) may hold arrays named like ours; nothing of theirs is a trade.
                sink.Rollback();
                return new CoinbaseFrame(CoinbaseFrameKind.Ignored, e.SequenceNum, e.Channel, Timestamp: e.Timestamp, Detail: e.Channel);
        }
    }

    private static void ReadEnvelopeProperty(ref Utf8JsonReader reader, ref Envelope e, in TradeSink sink)
    {
        if (reader.ValueTextEquals("channel"u8))
        {
            e.Channel = ReadName(ref reader, "channel");
        }
        else if (reader.ValueTextEquals("sequence_num"u8))
        {
            reader.Read();
            e.SequenceNum = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var sequence) && sequence >= 0
                ? sequence
                : throw new FieldException(TradeRejectReason.InvalidField, "'sequence_num' must be a non-negative integer");
        }
        else if (reader.ValueTextEquals("timestamp"u8))
        {
            reader.Read();
            e.Timestamp = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && CoinbaseTimestamps.TryParse(reader.ValueSpan, out var time)
                ? time
                : throw new FieldException(TradeRejectReason.InvalidField, "'timestamp' must be an RFC 3339 time");
        }
        else if (reader.ValueTextEquals("events"u8))
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new FieldException(TradeRejectReason.InvalidField, "'events' must be an array");
            }

            e.HasEvents = true;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new FieldException(TradeRejectReason.InvalidField, "an event must be an object");
                }

                ReadEvent(ref reader, ref e, in sink);
            }
        }
        else if (reader.ValueTextEquals("type"u8))
        {
            e.Type = ReadName(ref reader, "type");
        }
        else if (reader.ValueTextEquals("message"u8))
        {
            e.Message = ReadOptionalString(ref reader);
        }
        else if (reader.ValueTextEquals("reason"u8))
        {
            e.Reason = ReadOptionalString(ref reader);
        }
        else
        {
            // "client_id" and anything Coinbase adds later.
            reader.Read();
            reader.Skip();
        }
    }

    private static void ReadEvent(ref Utf8JsonReader reader, ref Envelope e, in TradeSink sink)
    {
        var first = !e.SeenEvent;
        e.SeenEvent = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new FieldException(TradeRejectReason.InvalidField, "an event's 'type' must be a string");
                }

                var type = reader.ValueTextEquals("snapshot"u8) ? CoinbaseEventType.Snapshot
                    : reader.ValueTextEquals("update"u8) ? CoinbaseEventType.Update
                    : CoinbaseEventType.Unknown;
                if (first)
                {
                    e.EventType = type;
                }
            }
            else if (reader.ValueTextEquals("trades"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new FieldException(TradeRejectReason.InvalidField, "'trades' must be an array");
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ReadTrade(ref reader, in sink);
                }
            }
            else if (reader.ValueTextEquals("heartbeat_counter"u8))
            {
                reader.Read();
                e.HeartbeatCounter = ReadCounter(ref reader);
            }
            else if (reader.ValueTextEquals("subscriptions"u8))
            {
                reader.Read();
                e.Subscriptions = ReadSubscriptions(ref reader);
            }
            else
            {
                // "current_time" (Go's time.String(), not RFC 3339) and whatever other channels carry.
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ReadTrade(ref Utf8JsonReader reader, in TradeSink sink)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            sink.Rejections.Add(new TradeRejection(TradeRejectReason.InvalidField, "a trade is not an object"));
            return;
        }

        var fields = new CoinbaseTradeReader.Fields();
        CoinbaseTradeReader.Read(ref reader, ref fields);
        Instrument? instrument = null;
        string? unknown = null;
        if (fields.HasProductId && !CoinbaseSymbols.TryGetInstrument(sink.Registry, fields.ProductIdSpan, out instrument))
        {
            unknown = $"unknown product '{fields.ProductIdText()}'";
            instrument = null;
        }

        CoinbaseTradeReader.Finish(ref fields, instrument, unknown, sink.ReceivedAt, sink.TimeRule, sink.Sides, sink.Trades, sink.Rejections);
    }

    /// <summary><c>heartbeat_counter</c>: a string of digits in the docs' sample, a JSON number in live recordings.</summary>
    private static long ReadCounter(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number) && number >= 0)
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan is [>= (byte)'0' and <= (byte)'9', ..]
            && Utf8Parser.TryParse(reader.ValueSpan, out long text, out var consumed) && consumed == reader.ValueSpan.Length)
        {
            return text;
        }

        throw new FieldException(TradeRejectReason.InvalidField, "'heartbeat_counter' must be a non-negative integer or a string of digits");
    }

    /// <summary><c>{"heartbeats":["heartbeats"],"market_trades":["BTC-USD"]}</c>; rare, so plain allocations.</summary>
    private static Dictionary<string, IReadOnlyList<string>> ReadSubscriptions(ref Utf8JsonReader reader)
    {
        const string Shape = "'subscriptions' must map channel names to arrays of strings";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FieldException(TradeRejectReason.InvalidField, Shape);
        }

        var subscriptions = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var channel = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new FieldException(TradeRejectReason.InvalidField, Shape);
            }

            var ids = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                ids.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new FieldException(TradeRejectReason.InvalidField, Shape));
            }

            subscriptions[channel] = ids;
        }

        return subscriptions;
    }

    /// <summary>The known channel and type names without allocating; others are rare and allocated.</summary>
    private static string ReadName(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new FieldException(TradeRejectReason.InvalidField, $"'{field}' must be a string");
        }

        return reader.ValueTextEquals("market_trades"u8) ? CoinbaseEndpoints.MarketTradesChannel
            : reader.ValueTextEquals("heartbeats"u8) ? CoinbaseEndpoints.HeartbeatsChannel
            : reader.ValueTextEquals("subscriptions"u8) ? CoinbaseEndpoints.SubscriptionsChannel
            : reader.ValueTextEquals("error"u8) ? TypeError
            : reader.GetString()!;
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

    private const string TypeError = "error";

    /// <summary>Where trades go, and how many each list held before this frame, so a broken frame can take its own back.</summary>
    private readonly record struct TradeSink(
        InstrumentRegistry Registry, UnixMicros ReceivedAt, ExchangeTimeRule TimeRule, CoinbaseSideConvention Sides, List<Trade> Trades, List<TradeRejection> Rejections,
        int TradesBefore, int RejectionsBefore)
    {
        public void Rollback()
        {
            Trades.RemoveRange(TradesBefore, Trades.Count - TradesBefore);
            Rejections.RemoveRange(RejectionsBefore, Rejections.Count - RejectionsBefore);
        }

        public CoinbaseFrame RejectFrame(TradeRejectReason reason, string detail)
        {
            Rollback();
            Rejections.Add(new TradeRejection(reason, detail));
            return new CoinbaseFrame(CoinbaseFrameKind.Rejected, Detail: detail, RejectReason: reason, RejectedTradeCount: 1);
        }
    }

    /// <summary>The envelope fields and what the events held, as far as K2 uses them.</summary>
    private struct Envelope
    {
        public string? Channel;
        public string? Type;
        public string? Message;
        public string? Reason;
        public long? SequenceNum;
        public UnixMicros? Timestamp;
        public bool HasEvents;
        public bool SeenEvent;
        public CoinbaseEventType EventType;
        public long? HeartbeatCounter;
        public Dictionary<string, IReadOnlyList<string>>? Subscriptions;
    }

    /// <summary>A frame-level field of the wrong shape; caught in <see cref="Parse"/> and turned into a rejection.</summary>
    private sealed class FieldException(TradeRejectReason reason, string message) : Exception(message)
    {
        public TradeRejectReason Reason { get; } = reason;
    }
}

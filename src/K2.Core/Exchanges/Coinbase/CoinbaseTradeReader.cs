using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Coinbase;

/// <summary>
/// Reads one trade object, <c>{"trade_id","product_id","price","size","side","time"}</c>, as both the WebSocket
/// <c>market_trades</c> channel and the REST ticker send it, and turns it into a trade or a rejection of that trade
/// alone. A field of the wrong type or value rejects the trade; only broken JSON (a <see cref="JsonException"/>)
/// escapes, to reject the whole frame.
/// </summary>
internal static class CoinbaseTradeReader
{
    /// <summary>Coinbase ids are integers or UUIDs as text (36 characters); longer text is not an id.</summary>
    public const int MaxTradeIdLength = 64;

    /// <summary>long.MaxValue has 19 digits.</summary>
    private const int MaxInt64Digits = 19;

    /// <summary>Reads the object the reader is on (its StartObject) up to its EndObject.</summary>
    public static void Read(ref Utf8JsonReader reader, ref Fields f)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("trade_id"u8))
            {
                reader.Read();
                ReadTradeId(ref reader, ref f);
            }
            else if (reader.ValueTextEquals("product_id"u8))
            {
                reader.Read();
                ReadProductId(ref reader, ref f);
            }
            else if (reader.ValueTextEquals("price"u8))
            {
                reader.Read();
                f.Price = ReadDecimal(ref reader, ref f, "price");
            }
            else if (reader.ValueTextEquals("size"u8))
            {
                reader.Read();
                f.Size = ReadDecimal(ref reader, ref f, "size");
            }
            else if (reader.ValueTextEquals("side"u8))
            {
                reader.Read();
                ReadSide(ref reader, ref f);
            }
            else if (reader.ValueTextEquals("time"u8))
            {
                reader.Read();
                ReadTime(ref reader, ref f);
            }
            else
            {
                // REST adds "bid", "ask", "exchange"; Coinbase may add more.
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>
    /// Validates the fields read for <paramref name="instrument"/> (null: the product id was missing or unknown, with
    /// <paramref name="unknownProduct"/> saying why) and appends a trade or a rejection.
    /// </summary>
    public static void Finish(
        ref Fields f, Instrument? instrument, string? unknownProduct, UnixMicros receivedAt, ExchangeTimeRule timeRule, CoinbaseSideConvention sides,
        List<Trade> trades, List<TradeRejection> rejections)
    {
        if (f.Problem is { } problem)
        {
            rejections.Add(Rejection(ref f, instrument, problem.Reason, problem.Detail));
            return;
        }

        if (f is not { TradeId: { } tradeId, Price: { } price, Size: { } size, WireSide: { } wireSide, Time: { } time }
            || (instrument is null && unknownProduct is null))
        {
            rejections.Add(Rejection(ref f, instrument, TradeRejectReason.MissingField, $"missing field {MissingField(ref f)}"));
            return;
        }

        var rejected = instrument is null ? (TradeRejectReason.UnknownSymbol, unknownProduct!)
            : TradeValidator.CheckPrice(price) is { } badPrice ? (TradeRejectReason.InvalidPrice, badPrice)
            : TradeValidator.CheckQuantity(size) is { } badSize ? (TradeRejectReason.InvalidQuantity, badSize)
            : TradeValidator.CheckExchangeTime(time, receivedAt, timeRule) is { } badTime ? (TradeRejectReason.InvalidTimestamp, badTime)
            : ((TradeRejectReason, string)?)null;
        if (rejected is { } reason)
        {
            rejections.Add(Rejection(ref f, instrument, reason.Item1, reason.Item2));
            return;
        }

        trades.Add(new Trade(instrument!, tradeId, price, size, TakerSide(wireSide, sides), time, receivedAt));
    }

    /// <summary>
    /// The taker's side from the wire <c>side</c>. Advanced Trade's docs say <c>side</c> "refers to the makers side";
    /// cryptofeed and NautilusTrader, which consume this exact channel in production, take it as the aggressor's side
    /// without inverting. K2 follows them by default (<see cref="CoinbaseSideConvention.Taker"/>) and inverts only when
    /// configured to (<see cref="CoinbaseSideConvention.Maker"/>). docs/EXCHANGES.md, "Coinbase side semantics", has the
    /// evidence and how an operator flips it.
    /// </summary>
    public static TradeSide TakerSide(TradeSide wireSide, CoinbaseSideConvention sides) => sides switch
    {
        CoinbaseSideConvention.Taker => wireSide,
        CoinbaseSideConvention.Maker => wireSide == TradeSide.Buy ? TradeSide.Sell : TradeSide.Buy,
        _ => throw new ArgumentOutOfRangeException(nameof(sides), sides, "Unknown side convention."),
    };

    /// <summary>A rejection naming the product and trade id as far as they were read; text is made only here.</summary>
    private static TradeRejection Rejection(ref Fields f, Instrument? instrument, TradeRejectReason reason, string detail) =>
        new(reason, detail, f.ProductIdText() ?? instrument?.ExchangeSymbol, f.TradeId?.ToString());

    private static string MissingField(ref Fields f) =>
        f.TradeId is null ? "'trade_id'"
        : f.Price is null ? "'price'"
        : f.Size is null ? "'size'"
        : f.WireSide is null ? "'side'"
        : f.Time is null ? "'time'"
        : "'product_id'";

    private static void ReadTradeId(ref Utf8JsonReader reader, ref Fields f)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            // Not what Coinbase sends, but an integer is the same id as its digits ("42" equals 42).
            if (reader.TryGetInt64(out var value) && value >= 0)
            {
                f.TradeId = Trades.TradeId.FromNumber(value);
            }
            else
            {
                f.Reject(TradeRejectReason.InvalidTradeId, "'trade_id' must be a non-negative integer or a string");
            }

            return;
        }

        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            f.Reject(TradeRejectReason.InvalidField, "'trade_id' must be a plain string");
            reader.Skip();
            return;
        }

        var text = reader.ValueSpan;
        if (text.IsEmpty || text.Length > MaxTradeIdLength)
        {
            f.Reject(TradeRejectReason.InvalidTradeId, $"'trade_id' must be 1 to {MaxTradeIdLength} characters");
            return;
        }

        // TradeId.FromText's rule without allocating for the usual integer ids: canonical digits (no sign, no leading
        // zero, at most 19 digits that fit a long) are a number; anything else stays text.
        if (text[0] is >= (byte)'0' and <= (byte)'9' && text.Length <= MaxInt64Digits && (text.Length == 1 || text[0] != (byte)'0')
            && Utf8Parser.TryParse(text, out long number, out var consumed) && consumed == text.Length)
        {
            f.TradeId = Trades.TradeId.FromNumber(number);
            return;
        }

        // GetString throws on invalid UTF-8, which rejects the frame as malformed JSON.
        f.TradeId = Trades.TradeId.FromText(reader.GetString()!);
    }

    private static void ReadProductId(ref Utf8JsonReader reader, ref Fields f)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped
            || reader.ValueSpan.Length is 0 or > CoinbaseSymbols.MaxProductIdLength)
        {
            f.Reject(TradeRejectReason.InvalidField, "'product_id' must be a short plain string");
            reader.Skip();
            return;
        }

        // At most 32 bytes decode to at most 32 chars. Invalid UTF-8 throws here, rejecting the frame as malformed JSON.
        f.ProductIdLength = reader.CopyString(f.ProductId);
    }

    private static decimal? ReadDecimal(ref Utf8JsonReader reader, ref Fields f, string field)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && DecimalText.TryParse(reader.ValueSpan, out var value))
        {
            return value;
        }

        f.Reject(TradeRejectReason.InvalidField, $"'{field}' must be a decimal string");
        reader.Skip();
        return null;
    }

    private static void ReadSide(ref Utf8JsonReader reader, ref Fields f)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            if (reader.ValueSpan.SequenceEqual("BUY"u8))
            {
                f.WireSide = TradeSide.Buy;
                return;
            }

            if (reader.ValueSpan.SequenceEqual("SELL"u8))
            {
                f.WireSide = TradeSide.Sell;
                return;
            }

            if (reader.ValueSpan.IsEmpty)
            {
                // The REST docs' sample shows "side": "". A side cannot be guessed: the trade is rejected, counted, and
                // its raw frame kept in bronze (docs/EXCHANGES.md, "Coinbase side semantics").
                f.Reject(TradeRejectReason.InvalidField, "'side' is empty: the taker side cannot be known");
                return;
            }
        }

        f.Reject(TradeRejectReason.InvalidField, "'side' must be BUY or SELL");
        reader.Skip();
    }

    private static void ReadTime(ref Utf8JsonReader reader, ref Fields f)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            f.Reject(TradeRejectReason.InvalidField, "'time' must be an RFC 3339 string");
            reader.Skip();
            return;
        }

        if (CoinbaseTimestamps.TryParse(reader.ValueSpan, out var time))
        {
            f.Time = time;
        }
        else
        {
            f.Reject(TradeRejectReason.InvalidTimestamp, "'time' is not an RFC 3339 time");
        }
    }

    /// <summary>The product id as read, without allocating until a rejection needs it as text.</summary>
    [InlineArray(CoinbaseSymbols.MaxProductIdLength)]
    internal struct ProductIdChars
    {
        private char _first;
    }

    /// <summary>The fields of one trade object, and the first problem found in them.</summary>
    internal struct Fields
    {
        public Trades.TradeId? TradeId;
        public ProductIdChars ProductId;
        public int ProductIdLength;
        public decimal? Price;
        public decimal? Size;
        public TradeSide? WireSide;
        public UnixMicros? Time;
        public (TradeRejectReason Reason, string Detail)? Problem;

        public readonly bool HasProductId => ProductIdLength > 0;

        [UnscopedRef]
        public readonly ReadOnlySpan<char> ProductIdSpan => ((ReadOnlySpan<char>)ProductId)[..ProductIdLength];

        public readonly string? ProductIdText() => HasProductId ? new string(ProductIdSpan) : null;

        public void Reject(TradeRejectReason reason, string detail) => Problem ??= (reason, detail);
    }
}

using System.Text.Json;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Binance;

/// <summary>
/// Parses Binance's <c>/api/v3/trades</c> and <c>/api/v3/historicalTrades</c> responses, an array of
/// <c>{"id","price","qty","quoteQty","time","isBuyerMaker","isBestMatch"}</c>, into trades of one instrument (the
/// symbol is the request's, not in the body). Pure; a bad element rejects only itself.
/// </summary>
public static class BinanceRestTradesParser
{
    /// <returns>False when the body is not a JSON array (an error object, a truncated page).</returns>
    public static bool TryParse(
        ReadOnlySpan<byte> body, Instrument instrument, BinanceTimeUnit timeUnit, UnixMicros receivedAt,
        List<Trade> trades, List<TradeRejection> rejections, ExchangeTimeRule timeRule = ExchangeTimeRule.Live)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                ReadTrade(ref reader, instrument, timeUnit, receivedAt, trades, rejections, timeRule);
            }

            return reader.TokenType == JsonTokenType.EndArray && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void ReadTrade(
        ref Utf8JsonReader reader, Instrument instrument, BinanceTimeUnit timeUnit, UnixMicros receivedAt,
        List<Trade> trades, List<TradeRejection> rejections, ExchangeTimeRule timeRule)
    {
        long? id = null, time = null;
        decimal? price = null, quantity = null;
        bool? buyerIsMaker = null;
        string? invalid = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("id"u8))
            {
                id = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var v) ? v : null;
                invalid ??= id is null ? "'id' must be an integer" : null;
            }
            else if (name.SequenceEqual("price"u8) || name.SequenceEqual("qty"u8))
            {
                decimal? value = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && DecimalText.TryParse(reader.ValueSpan, out var d) ? d : null;
                invalid ??= value is null ? $"'{(name[0] == (byte)'p' ? "price" : "qty")}' must be a decimal string" : null;
                if (name[0] == (byte)'p')
                {
                    price = value;
                }
                else
                {
                    quantity = value;
                }
            }
            else if (name.SequenceEqual("time"u8))
            {
                time = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var ms) ? ms : null;
                invalid ??= time is null ? "'time' must be an integer" : null;
            }
            else if (name.SequenceEqual("isBuyerMaker"u8))
            {
                buyerIsMaker = reader.TokenType switch { JsonTokenType.True => true, JsonTokenType.False => false, _ => null };
                invalid ??= buyerIsMaker is null ? "'isBuyerMaker' must be true or false" : null;
            }
            else
            {
                reader.Skip();
            }
        }

        var rawId = id?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (invalid is not null)
        {
            rejections.Add(new TradeRejection(TradeRejectReason.InvalidField, invalid, instrument.ExchangeSymbol, rawId));
            return;
        }

        if (id is not { } tradeId || price is not { } p || quantity is not { } q || time is not { } t || buyerIsMaker is not { } maker)
        {
            rejections.Add(new TradeRejection(TradeRejectReason.MissingField, "a trade lacks id, price, qty, time or isBuyerMaker", instrument.ExchangeSymbol, rawId));
            return;
        }

        var micros = timeUnit == BinanceTimeUnit.Microsecond || (timeUnit == BinanceTimeUnit.Detect && Math.Abs(t) >= 100_000_000_000_000);
        var exchangeTime = micros ? new UnixMicros(t) : UnixMicros.FromMilliseconds(t);
        var problem = tradeId < 0 ? (TradeRejectReason.InvalidTradeId, $"trade id {tradeId} is negative")
            : TradeValidator.CheckPrice(p) is { } badPrice ? (TradeRejectReason.InvalidPrice, badPrice)
            : TradeValidator.CheckQuantity(q) is { } badQuantity ? (TradeRejectReason.InvalidQuantity, badQuantity)
            : TradeValidator.CheckExchangeTime(exchangeTime, receivedAt, timeRule) is { } badTime ? (TradeRejectReason.InvalidTimestamp, badTime)
            : ((TradeRejectReason, string)?)null;
        if (problem is { } rejected)
        {
            rejections.Add(new TradeRejection(rejected.Item1, rejected.Item2, instrument.ExchangeSymbol, rawId));
            return;
        }

        // isBuyerMaker: the buyer rested on the book, so the taker sold.
        trades.Add(new Trade(instrument, TradeId.FromNumber(tradeId), p, q, maker ? TradeSide.Sell : TradeSide.Buy, exchangeTime, receivedAt));
    }
}

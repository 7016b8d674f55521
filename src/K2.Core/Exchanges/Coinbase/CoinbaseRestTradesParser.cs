using System.Text.Json;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Coinbase;

/// <summary>
/// Parses the public Advanced Trade trades endpoint,
/// <c>GET /api/v3/brokerage/market/products/{product_id}/ticker?limit=&amp;start=&amp;end=</c>, whose body is
/// <c>{"trades":[{"trade_id","product_id","price","size","time","side","exchange"}],"best_bid","best_ask"}</c>, newest
/// trade first. Trades are appended in the body's order, by the same rules as the WebSocket (<see cref="CoinbaseTradeParser"/>);
/// a bad trade rejects only itself. Pure.
/// </summary>
/// <remarks>
/// <para>The request names the instrument, so a trade without <c>product_id</c> belongs to it; a trade naming another
/// product (other than the instrument's market-data alias, <c>X-USD</c> for <c>X-USDC</c>) is rejected as an unknown
/// symbol rather than stored under the wrong instrument.</para>
/// <para>An empty or unknown <c>side</c> (the docs' sample shows <c>"side": ""</c>) rejects the trade: a side cannot be
/// guessed without corrupting the data, and the rejection is counted and the raw body kept in bronze, so the trade can
/// be recovered if Coinbase ever sends such rows. docs/EXCHANGES.md, "Coinbase side semantics", gives the reasoning.</para>
/// </remarks>
public static class CoinbaseRestTradesParser
{
    private const int MaxDepth = 8;

    /// <remarks>
    /// The time rule is <see cref="ExchangeTimeRule.Live"/> for repairs of the live stream and
    /// <see cref="ExchangeTimeRule.Replay"/> for an operator's requested backfill, which may reach beyond 30 days.
    /// </remarks>
    /// <returns>
    /// False when the body is not a ticker response (an error object, a truncated page); then nothing was appended.
    /// </returns>
    public static bool TryParse(
        ReadOnlySpan<byte> body, Instrument instrument, CoinbaseSideConvention sides, UnixMicros receivedAt,
        List<Trade> trades, List<TradeRejection> rejections, ExchangeTimeRule timeRule = ExchangeTimeRule.Live)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(trades);
        ArgumentNullException.ThrowIfNull(rejections);
        var (tradesBefore, rejectionsBefore) = (trades.Count, rejections.Count);
        try
        {
            if (Read(body, instrument, sides, receivedAt, timeRule, trades, rejections))
            {
                return true;
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 in a string the parser decoded.
        }

        trades.RemoveRange(tradesBefore, trades.Count - tradesBefore);
        rejections.RemoveRange(rejectionsBefore, rejections.Count - rejectionsBefore);
        return false;
    }

    private static bool Read(
        ReadOnlySpan<byte> body, Instrument instrument, CoinbaseSideConvention sides, UnixMicros receivedAt, ExchangeTimeRule timeRule,
        List<Trade> trades, List<TradeRejection> rejections)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var sawTrades = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("trades"u8))
            {
                // "best_bid", "best_ask", and an error body's "error", "message"…
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            sawTrades = true;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                ReadTrade(ref reader, instrument, sides, receivedAt, timeRule, trades, rejections);
            }
        }

        // Read throws on anything but whitespace after the object.
        return !reader.Read() && sawTrades;
    }

    private static void ReadTrade(
        ref Utf8JsonReader reader, Instrument instrument, CoinbaseSideConvention sides, UnixMicros receivedAt, ExchangeTimeRule timeRule,
        List<Trade> trades, List<TradeRejection> rejections)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            rejections.Add(new TradeRejection(TradeRejectReason.InvalidField, "a trade is not an object", instrument.ExchangeSymbol));
            return;
        }

        var fields = new CoinbaseTradeReader.Fields();
        CoinbaseTradeReader.Read(ref reader, ref fields);
        var belongs = !fields.HasProductId
            || fields.ProductIdSpan.SequenceEqual(instrument.ExchangeSymbol)
            || fields.ProductIdSpan.SequenceEqual(CoinbaseSymbols.MarketDataProductId(instrument));
        var unknown = belongs ? null : $"product '{fields.ProductIdText()}' in a response for '{instrument.ExchangeSymbol}'";
        CoinbaseTradeReader.Finish(ref fields, belongs ? instrument : null, unknown, receivedAt, timeRule, sides, trades, rejections);
    }
}

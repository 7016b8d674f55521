using System.Globalization;
using System.Text;
using K2.Core;
using K2.Core.Instruments;

namespace K2.Simulator.Kraken;

/// <summary>
/// Renders the frames of <see cref="KrakenMalformedVariant"/>: a one-trade update in the docs' field order with one
/// thing broken. Trade ids come from <see cref="TradeId"/>, 1 to 999, far below any id the market prints (its ids
/// start at the start time in milliseconds), so a malformed trade can never be mistaken for a real one.
/// </summary>
internal static class KrakenMalformedFrames
{
    public static readonly int VariantCount = Enum.GetValues<KrakenMalformedVariant>().Length;

    /// <summary>A symbol that is on no registry.</summary>
    public const string UnknownSymbol = "K2UNKNOWN/USD";

    private const int MaxTradeId = 999;

    /// <summary>Month 13, day 45, hour 25: no calendar has it.</summary>
    private const string BadTimestamp = "2026-13-45T25:61:61.000000Z";

    public static KrakenMalformedVariant Variant(long index) => (KrakenMalformedVariant)(index % VariantCount);

    /// <summary>The trade id of the <paramref name="sequence"/>-th malformed frame (from 0): 1, 2, … 999, 1, ….</summary>
    public static long TradeId(long sequence) => (sequence % MaxTradeId) + 1;

    /// <param name="variant">What to break.</param>
    /// <param name="instrument">An instrument the connection subscribes to (or any the venue lists).</param>
    /// <param name="tradeId">From <see cref="TradeId"/>.</param>
    /// <param name="now">The trade's time (but for one variant).</param>
    public static byte[] Render(KrakenMalformedVariant variant, Instrument instrument, long tradeId, UnixMicros now)
    {
        var symbol = instrument.ExchangeSymbol;
        var id = tradeId.ToString(CultureInfo.InvariantCulture);
        var price = 1m.ToString("F" + instrument.PriceScale.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var quantity = 1m.ToString("F" + instrument.QuantityScale.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var timestamp = KrakenWireWriter.Timestamp(now);
        var frame = variant switch
        {
            KrakenMalformedVariant.TruncatedJson => Truncate(Update(symbol, price, quantity, id, timestamp)),
            KrakenMalformedVariant.PriceAsString => Update(symbol, $"\"{price}\"", quantity, id, timestamp),
            KrakenMalformedVariant.MissingTradeId => Update(symbol, price, quantity, tradeId: null, timestamp),
            KrakenMalformedVariant.NegativeQuantity => Update(symbol, price, "-" + quantity, id, timestamp),
            KrakenMalformedVariant.UnknownSymbol => Update(UnknownSymbol, price, quantity, id, timestamp),
            KrakenMalformedVariant.BadTimestamp => Update(symbol, price, quantity, id, BadTimestamp),
            _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown malformed variant."),
        };
        return Encoding.UTF8.GetBytes(frame);
    }

    private static string Update(string symbol, string price, string quantity, string? tradeId, string timestamp)
    {
        var id = tradeId is null ? "" : $"\"trade_id\":{tradeId},";
        return $$"""{"channel":"trade","type":"update","data":[{"symbol":"{{symbol}}","side":"buy","price":{{price}},"qty":{{quantity}},"ord_type":"limit",{{id}}"timestamp":"{{timestamp}}"}]}""";
    }

    /// <summary>Cut in the middle of the trade, as a broken proxy or a torn buffer would.</summary>
    private static string Truncate(string frame) => frame[..(frame.Length / 2)];
}

using System.Globalization;
using System.Text;
using K2.Core;
using K2.Core.Exchanges.Coinbase;

namespace K2.Simulator.Coinbase;

/// <summary>Each way a simulated Coinbase frame can be broken; every one of them is rejected by K2's parser.</summary>
internal enum CoinbaseMalformedVariant : byte
{
    /// <summary>A <c>market_trades</c> message cut in the middle: the whole frame is malformed JSON.</summary>
    TruncatedJson,

    /// <summary><c>"price":"1,234.50"</c>: not a decimal string.</summary>
    PriceNotDecimal,

    /// <summary>A trade without <c>trade_id</c>.</summary>
    MissingTradeId,

    /// <summary><c>"size":"-0.50000000"</c>.</summary>
    NegativeSize,

    /// <summary>A product the exchange does not list.</summary>
    UnknownProduct,

    /// <summary><c>"time":"2026-13-45T25:61:00Z"</c>: not a time.</summary>
    BadTime,
}

/// <summary>
/// Malformed <c>market_trades</c> messages in Coinbase's own format, one trade each. A broken trade carries a text id
/// (<c>k2sim-malformed-N</c>) that no printed trade has (printed ids are integers), so nothing K2 rejects can shadow a
/// real trade. Every malformed frame is a message of the connection and takes the next <c>sequence_num</c>.
/// </summary>
internal static class CoinbaseMalformedFrames
{
    public static readonly int VariantCount = Enum.GetValues<CoinbaseMalformedVariant>().Length;

    /// <summary>Listed by no registry K2 ships; ends in -USD like a real product.</summary>
    public const string UnknownProduct = "K2SIMX-USD";

    public const string TradeIdPrefix = "k2sim-malformed-";

    private const string ValidPrice = "100.00";
    private const string ValidSize = "0.50000000";

    public static CoinbaseMalformedVariant Variant(long index) => (CoinbaseMalformedVariant)(index % VariantCount);

    public static byte[] Render(
        CoinbaseMalformedVariant variant, long sequence, DateTimeOffset now, string productId, long malformedNumber)
    {
        var tradeId = $"\"trade_id\":\"{TradeIdPrefix}{malformedNumber.ToString(CultureInfo.InvariantCulture)}\",";
        var product = variant == CoinbaseMalformedVariant.UnknownProduct ? UnknownProduct : productId;
        var price = variant == CoinbaseMalformedVariant.PriceNotDecimal ? "1,234.50" : ValidPrice;
        var size = variant == CoinbaseMalformedVariant.NegativeSize ? "-" + ValidSize : ValidSize;
        var time = variant == CoinbaseMalformedVariant.BadTime ? "2026-13-45T25:61:00Z" : CoinbaseWireWriter.TradeTime(UnixMicros.FromDateTimeOffset(now));
        var trade = (variant == CoinbaseMalformedVariant.MissingTradeId ? "" : tradeId)
            + $"\"product_id\":\"{product}\",\"price\":\"{price}\",\"size\":\"{size}\",\"side\":\"{CoinbaseWireWriter.Buy}\",\"time\":\"{time}\"";
        var message = string.Create(CultureInfo.InvariantCulture,
            $$"""{"channel":"{{CoinbaseEndpoints.MarketTradesChannel}}","client_id":"","timestamp":"{{CoinbaseWireWriter.NanoTimestamp(now)}}","sequence_num":{{sequence}},"events":[{"type":"{{CoinbaseWireWriter.UpdateType}}","trades":[{{{trade}}}]}]}""");
        var bytes = Encoding.UTF8.GetBytes(message);
        return variant == CoinbaseMalformedVariant.TruncatedJson ? bytes[..(bytes.Length / 2)] : bytes;
    }
}

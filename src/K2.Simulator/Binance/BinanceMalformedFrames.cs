using System.Globalization;
using System.Text;
using K2.Core;
using K2.Core.Exchanges.Binance;

namespace K2.Simulator.Binance;

/// <summary>
/// Renders the frames of <see cref="BinanceMalformedVariant"/>: a trade event in the docs' field order with one
/// thing broken, wrapped in the combined-stream envelope on combined connections. Trade ids come from
/// <see cref="TradeId"/>, 1 to 999, far below any id the market prints (its ids start at the start time in
/// milliseconds), so a malformed trade can never be mistaken for a real one.
/// </summary>
internal static class BinanceMalformedFrames
{
    public static readonly int VariantCount = Enum.GetValues<BinanceMalformedVariant>().Length;

    /// <summary>A symbol that is on no registry.</summary>
    public const string UnknownSymbol = "K2UNKNOWNUSDT";

    private const int MaxTradeId = 999;

    private const string ValidPrice = "\"1.00000000\"";
    private const string NegativePrice = "\"-1.00000000\"";
    private const string NineDecimalPrice = "\"1.000000001\"";
    private const string Quantity = "\"1.00000000\"";

    /// <summary>Twice <see cref="K2.Core.Trades.TradeValidator.MaxClockSkew"/>: clearly a bad clock, not skew.</summary>
    private static readonly TimeSpan FutureOffset = TimeSpan.FromMinutes(10);

    public static BinanceMalformedVariant Variant(long index) => (BinanceMalformedVariant)(index % VariantCount);

    /// <summary>The trade id of the <paramref name="sequence"/>-th malformed frame (from 0): 1, 2, … 999, 1, ….</summary>
    public static long TradeId(long sequence) => (sequence % MaxTradeId) + 1;

    /// <param name="variant">What to break.</param>
    /// <param name="symbol">The (upper-case) symbol of a stream the connection carries.</param>
    /// <param name="tradeId">From <see cref="TradeId"/>.</param>
    /// <param name="combined">Whether to wrap the event as <c>{"stream":…,"data":…}</c>.</param>
    /// <param name="unit">The connection's time unit.</param>
    /// <param name="now">When the frame leaves the server: its event time and (but for one variant) trade time.</param>
    public static byte[] Render(BinanceMalformedVariant variant, string symbol, long tradeId, bool combined, BinanceTimeUnit unit, UnixMicros now)
    {
        var eventTime = BinanceWireWriter.Time(now, unit);
        var id = tradeId.ToString(CultureInfo.InvariantCulture);
        var valid = Trade(symbol, id, ValidPrice, eventTime, eventTime);
        var frame = variant switch
        {
            BinanceMalformedVariant.TruncatedJson => Truncate(Wrap(valid, symbol, combined)),
            BinanceMalformedVariant.NotAnObject => Wrap("[" + valid + "]", symbol, combined),
            BinanceMalformedVariant.MissingPrice => Wrap(Trade(symbol, id, price: null, eventTime, eventTime), symbol, combined),
            BinanceMalformedVariant.NegativePrice => Wrap(Trade(symbol, id, NegativePrice, eventTime, eventTime), symbol, combined),
            BinanceMalformedVariant.NineDecimalPrice => Wrap(Trade(symbol, id, NineDecimalPrice, eventTime, eventTime), symbol, combined),
            BinanceMalformedVariant.UnknownSymbol => Wrap(Trade(UnknownSymbol, id, ValidPrice, eventTime, eventTime), UnknownSymbol, combined),
            BinanceMalformedVariant.TradeIdAsString => Wrap(Trade(symbol, $"\"{id}\"", ValidPrice, eventTime, eventTime), symbol, combined),
            BinanceMalformedVariant.TradeTimeInFuture => Wrap(Trade(symbol, id, ValidPrice, eventTime, FutureTime(now, unit)), symbol, combined),
            _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown malformed variant."),
        };
        return Encoding.UTF8.GetBytes(frame);
    }

    private static long FutureTime(UnixMicros now, BinanceTimeUnit unit) =>
        BinanceWireWriter.Time(new UnixMicros(now.Value + (FutureOffset.Ticks / TimeSpan.TicksPerMicrosecond)), unit);

    /// <summary>A trade event with the given JSON values; <paramref name="price"/> null leaves <c>"p"</c> out.</summary>
    private static string Trade(string symbol, string tradeIdJson, string? price, long eventTime, long tradeTime) =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"e":"trade","E":{{eventTime}},"s":"{{symbol}}","t":{{tradeIdJson}}{{(price is null ? "" : ",\"p\":" + price)}},"q":{{Quantity}},"T":{{tradeTime}},"m":true,"M":true}""");

    private static string Wrap(string data, string symbol, bool combined) =>
        combined ? $$"""{"stream":"{{symbol.ToLowerInvariant()}}{{BinanceSymbols.TradeStreamSuffix}}","data":{{data}}}""" : data;

    private static string Truncate(string frame) => frame[..(frame.Length / 2)];
}

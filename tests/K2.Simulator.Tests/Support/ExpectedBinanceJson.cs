using System.Globalization;
using K2.Core.Exchanges.Binance;
using K2.Core.Trades;

namespace K2.Simulator.Tests.Support;

/// <summary>
/// Binance's JSON for a printed trade, spelled out here independently of the simulator's writer: the docs' field
/// order, eight-decimal price and quantity strings as spot sends them, milliseconds unless asked for microseconds.
/// </summary>
internal static class ExpectedBinanceJson
{
    public static string TradeEvent(PrintedTrade trade, long eventTime, BinanceTimeUnit unit, string? combinedStream)
    {
        var data = string.Create(CultureInfo.InvariantCulture,
            $$"""{"e":"trade","E":{{eventTime}},"s":"{{trade.ExchangeSymbol}}","t":{{trade.TradeId}},"p":"{{trade.Price:F8}}","q":"{{trade.Quantity:F8}}","T":{{Time(trade, unit)}},"m":{{BuyerIsMaker(trade)}},"M":true}""");
        return combinedStream is null ? data : $$"""{"stream":"{{combinedStream}}","data":{{data}}}""";
    }

    public static string RestTrades(IEnumerable<PrintedTrade> trades, BinanceTimeUnit unit) =>
        "[" + string.Join(',', trades.Select(t => string.Create(CultureInfo.InvariantCulture,
            $$"""{"id":{{t.TradeId}},"price":"{{t.Price:F8}}","qty":"{{t.Quantity:F8}}","quoteQty":"{{decimal.Round(t.Price * t.Quantity, 8):0.########}}","time":{{Time(t, unit)}},"isBuyerMaker":{{BuyerIsMaker(t)}},"isBestMatch":true}"""))) + "]";

    /// <summary>One aggregate per printed trade: the simulator fills each taker order with a single trade.</summary>
    public static string RestAggregateTrades(IEnumerable<PrintedTrade> trades, BinanceTimeUnit unit) =>
        "[" + string.Join(',', trades.Select(t => string.Create(CultureInfo.InvariantCulture,
            $$"""{"a":{{t.TradeId}},"p":"{{t.Price:F8}}","q":"{{t.Quantity:F8}}","f":{{t.TradeId}},"l":{{t.TradeId}},"T":{{Time(t, unit)}},"m":{{BuyerIsMaker(t)}},"M":true}"""))) + "]";

    public static long Time(PrintedTrade trade, BinanceTimeUnit unit) =>
        unit == BinanceTimeUnit.Microsecond ? trade.TradeTime.Value : trade.TradeTime.Value / 1_000;

    private static string BuyerIsMaker(PrintedTrade trade) => trade.TakerSide == TradeSide.Sell ? "true" : "false";
}

using System.Globalization;
using K2.Core.Exchanges.Coinbase;
using K2.Core.Trades;

namespace K2.Simulator.Tests.Coinbase;

/// <summary>
/// Coinbase's JSON for printed trades, spelled out here independently of the simulator's writer: the docs' envelope
/// and trade field order, decimals at the instrument's scale, six-digit trade times, Go's trimmed envelope timestamps.
/// </summary>
internal static class ExpectedCoinbaseJson
{
    public static string Trade(PrintedTrade trade, CoinbaseSideConvention sides, string? productId = null) =>
        $$"""{"trade_id":"{{trade.TradeId.ToString(CultureInfo.InvariantCulture)}}","product_id":"{{productId ?? trade.ExchangeSymbol}}","price":"{{Decimal(trade.Price)}}","size":"{{Decimal(trade.Quantity)}}","side":"{{Side(trade, sides)}}","time":"{{Time(trade)}}"}""";

    public static string RestTrade(PrintedTrade trade, CoinbaseSideConvention sides) =>
        $$"""{"trade_id":"{{trade.TradeId.ToString(CultureInfo.InvariantCulture)}}","product_id":"{{trade.ExchangeSymbol}}","price":"{{Decimal(trade.Price)}}","size":"{{Decimal(trade.Quantity)}}","time":"{{Time(trade)}}","side":"{{Side(trade, sides)}}","bid":"","ask":"","exchange":"coinbase"}""";

    public static string MarketTrades(long sequence, string timestamp, string type, params IEnumerable<PrintedTrade>[] events) =>
        $$"""{"channel":"market_trades","client_id":"","timestamp":"{{timestamp}}","sequence_num":{{sequence}},"events":[{{string.Join(",", events.Select(e => $$"""{"type":"{{type}}","trades":[{{string.Join(",", e.Select(t => Trade(t, CoinbaseSideConvention.Taker)))}}]}"""))}}]}""";

    public static string Subscriptions(long sequence, string timestamp, string subscriptions) =>
        $$"""{"channel":"subscriptions","client_id":"","timestamp":"{{timestamp}}","sequence_num":{{sequence}},"events":[{"subscriptions":{""" + subscriptions + "}}]}";

    public static string Error(string message, string reason) => $$"""{"type":"error","message":"{{message}}","reason":"{{reason}}"}""";

    public static string Side(PrintedTrade trade, CoinbaseSideConvention sides) =>
        (trade.TakerSide == TradeSide.Buy) ^ (sides == CoinbaseSideConvention.Maker) ? "BUY" : "SELL";

    public static string Time(PrintedTrade trade) =>
        trade.TradeTime.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Decimal(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

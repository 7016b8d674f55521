using System.Globalization;
using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Simulator.Tests.Kraken;

/// <summary>
/// Kraken's JSON for what the simulator sends, spelled out here independently of its writer: the docs' field order
/// for trades, answers with keys in alphabetical order as recorded from the venue, numbers at the instrument's
/// scales, RFC 3339 times with microseconds.
/// </summary>
internal static class ExpectedKrakenJson
{
    public static string Time(UnixMicros time) => time.ToString();

    public static string Trades(string type, Instrument instrument, IEnumerable<PrintedTrade> trades) =>
        $$"""{"channel":"trade","type":"{{type}}","data":[{{string.Join(",", trades.Select(t => Trade(instrument, t)))}}]}""";

    public static string Trade(Instrument instrument, PrintedTrade trade) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"symbol":"{{instrument.ExchangeSymbol}}","side":"{{(trade.TakerSide == TradeSide.Buy ? "buy" : "sell")}}","price":{{Fixed(trade.Price, instrument.PriceScale)}},"qty":{{Fixed(trade.Quantity, instrument.QuantityScale)}},"ord_type":"{{OrderType(trade)}}","trade_id":{{trade.TradeId}},"timestamp":"{{Time(trade.TradeTime)}}"}""");

    public static string SubscribeResult(long requestId, string symbol, bool snapshot, UnixMicros at) =>
        $$"""{"method":"subscribe","req_id":{{requestId}},"result":{"channel":"trade","snapshot":{{(snapshot ? "true" : "false")}},"symbol":"{{symbol}}"},"success":true,"time_in":"{{Time(at)}}","time_out":"{{Time(at)}}"}""";

    public static string UnsubscribeResult(long requestId, string symbol, UnixMicros at) =>
        $$"""{"method":"unsubscribe","req_id":{{requestId}},"result":{"channel":"trade","symbol":"{{symbol}}"},"success":true,"time_in":"{{Time(at)}}","time_out":"{{Time(at)}}"}""";

    public static string Refusal(string error, string method, long requestId, string symbol, UnixMicros at) =>
        $$"""{"error":"{{error}}","method":"{{method}}","req_id":{{requestId}},"success":false,"symbol":"{{symbol}}","time_in":"{{Time(at)}}","time_out":"{{Time(at)}}"}""";

    public static string Pong(long requestId, UnixMicros at) =>
        $$"""{"method":"pong","req_id":{{requestId}},"time_in":"{{Time(at)}}","time_out":"{{Time(at)}}"}""";

    public const string Heartbeat = """{"channel":"heartbeat"}""";

    public static string Status(long connectionId) =>
        $$"""{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":{{connectionId}},"system":"online","version":"2.0.0"}]}""";

    /// <summary>A REST row: price with at least five decimals, volume with eight, time in seconds as Kraken's doubles print.</summary>
    public static string RestRow(Instrument instrument, PrintedTrade trade)
    {
        var seconds = trade.TradeTime.Value / 1_000_000;
        var fraction = (trade.TradeTime.Value % 1_000_000).ToString("D6", CultureInfo.InvariantCulture).TrimEnd('0');
        return string.Create(CultureInfo.InvariantCulture,
            $$"""["{{Fixed(trade.Price, Math.Max(5, instrument.PriceScale))}}","{{Fixed(trade.Quantity, 8)}}",{{seconds}}.{{(fraction.Length == 0 ? "0" : fraction)}},"{{(trade.TakerSide == TradeSide.Buy ? "b" : "s")}}","{{OrderType(trade)[0]}}","",{{trade.TradeId}}]""");
    }

    public static string RestPage(string key, Instrument instrument, IEnumerable<PrintedTrade> trades, long last) =>
        $$$"""{"error":[],"result":{"{{{key}}}":[{{{string.Join(",", trades.Select(t => RestRow(instrument, t)))}}}],"last":"{{{last}}}"}}""";

    public static long Nanoseconds(PrintedTrade trade) => trade.TradeTime.Value * 1_000;

    /// <summary>The simulator's convention: a quarter of takers use limit orders, chosen by trade id.</summary>
    private static string OrderType(PrintedTrade trade) => trade.TradeId % 4 == 0 ? "limit" : "market";

    private static string Fixed(decimal value, int scale) => value.ToString("F" + scale.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}

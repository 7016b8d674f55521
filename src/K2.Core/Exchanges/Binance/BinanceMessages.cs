using System.Text.Json.Serialization;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Binance;

/// <summary>A request K2 sends on a market-data connection, e.g. <c>{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}</c>.</summary>
public sealed record BinanceStreamRequest(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("params")] IReadOnlyList<string> Params,
    [property: JsonPropertyName("id")] long Id)
{
    public const string Subscribe = "SUBSCRIBE";
    public const string Unsubscribe = "UNSUBSCRIBE";
}

/// <summary>
/// One parsed frame. <see cref="Trade"/> is set for <see cref="BinanceFrameKind.Trade"/> only; a rejected frame has
/// its <see cref="RejectReason"/>, a human-readable <see cref="Detail"/>, and the symbol and trade id when they were
/// readable.
/// </summary>
public readonly record struct BinanceFrame(
    BinanceFrameKind Kind,
    Trade Trade = default,
    long RequestId = 0,
    string? Detail = null,
    TradeRejectReason RejectReason = default,
    string? RawSymbol = null,
    string? RawTradeId = null)
{
    public static BinanceFrame Rejected(TradeRejectReason reason, string detail, string? rawSymbol = null, long? rawTradeId = null) =>
        new(BinanceFrameKind.Rejected, Detail: detail, RejectReason: reason, RawSymbol: rawSymbol,
            RawTradeId: rawTradeId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

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
/// its <see cref="RejectReason"/> and a human-readable <see cref="Detail"/>.
/// </summary>
public readonly record struct BinanceFrame(
    BinanceFrameKind Kind,
    Trade Trade = default,
    long RequestId = 0,
    string? Detail = null,
    TradeRejectReason RejectReason = default)
{
    public static BinanceFrame Rejected(TradeRejectReason reason, string detail) =>
        new(BinanceFrameKind.Rejected, Detail: detail, RejectReason: reason);
}

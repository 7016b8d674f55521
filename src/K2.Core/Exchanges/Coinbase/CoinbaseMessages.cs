using System.Text.Json.Serialization;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Coinbase;

/// <summary>
/// A subscribe or unsubscribe K2 sends, serialized with System.Text.Json exactly as the docs show it:
/// <c>{"type":"subscribe","product_ids":["BTC-USD"],"channel":"market_trades"}</c> and
/// <c>{"type":"subscribe","channel":"heartbeats"}</c>. One channel per message, as Coinbase requires. K2 reads public
/// data only, so it never sends the docs' optional <c>jwt</c>.
/// </summary>
public sealed record CoinbaseSubscriptionRequest(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("product_ids"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? ProductIds,
    [property: JsonPropertyName("channel")] string Channel)
{
    public const string Subscribe = "subscribe";
    public const string Unsubscribe = "unsubscribe";

    /// <param name="productIds">Market-data product ids; see <see cref="CoinbaseSymbols.MarketDataProductId(Instruments.Instrument)"/>.</param>
    public static CoinbaseSubscriptionRequest SubscribeMarketTrades(IReadOnlyList<string> productIds) =>
        new(Subscribe, productIds, CoinbaseEndpoints.MarketTradesChannel);

    /// <summary>Without product ids: leaves the whole channel.</summary>
    public static CoinbaseSubscriptionRequest UnsubscribeMarketTrades(IReadOnlyList<string>? productIds = null) =>
        new(Unsubscribe, productIds, CoinbaseEndpoints.MarketTradesChannel);

    public static CoinbaseSubscriptionRequest SubscribeHeartbeats() => new(Subscribe, null, CoinbaseEndpoints.HeartbeatsChannel);
}

/// <summary>
/// One parsed frame. Trades and per-trade rejections go to the lists passed to
/// <see cref="CoinbaseTradeParser.Parse"/>; this says what the frame was and carries its envelope.
/// </summary>
/// <param name="Kind">What the frame is.</param>
/// <param name="SequenceNum">The envelope's <c>sequence_num</c>: one more than the previous message on this connection,
/// across all channels; a jump means a dropped message, a lower one a reordered one. Null when absent (errors).</param>
/// <param name="Channel">The envelope's <c>channel</c>.</param>
/// <param name="EventType">For <see cref="CoinbaseFrameKind.MarketTrades"/>: the <c>type</c> of the first event.</param>
/// <param name="HeartbeatCounter">For <see cref="CoinbaseFrameKind.Heartbeat"/>: the <c>heartbeat_counter</c> (sent as a
/// string in the docs and as a number live; both are read).</param>
/// <param name="Timestamp">The envelope's <c>timestamp</c> (when the server sent the message), truncated to µs.</param>
/// <param name="ErrorMessage">For <see cref="CoinbaseFrameKind.Error"/>: the <c>message</c>.</param>
/// <param name="Detail">An error's <c>reason</c>, why a frame was rejected, or what an ignored frame was.</param>
/// <param name="RejectReason">For <see cref="CoinbaseFrameKind.Rejected"/>.</param>
/// <param name="TradeCount">Valid trades this frame added to the list.</param>
/// <param name="RejectedTradeCount">Rejections this frame added to the list (a rejected frame adds exactly one).</param>
/// <param name="Subscriptions">For <see cref="CoinbaseFrameKind.Subscriptions"/>: product ids (or channel names) by channel.</param>
public readonly record struct CoinbaseFrame(
    CoinbaseFrameKind Kind,
    long? SequenceNum = null,
    string? Channel = null,
    CoinbaseEventType EventType = CoinbaseEventType.None,
    long? HeartbeatCounter = null,
    UnixMicros? Timestamp = null,
    string? ErrorMessage = null,
    string? Detail = null,
    TradeRejectReason RejectReason = default,
    int TradeCount = 0,
    int RejectedTradeCount = 0,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Subscriptions = null);

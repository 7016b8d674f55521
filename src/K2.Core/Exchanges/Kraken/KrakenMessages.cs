using System.Text.Json.Serialization;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Kraken;

/// <summary>
/// A <c>subscribe</c> or <c>unsubscribe</c> request K2 sends, e.g.
/// <c>{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":true},"req_id":1}</c>.
/// Kraken answers with one result per symbol, each echoing <see cref="RequestId"/>.
/// </summary>
public sealed record KrakenV2SubscriptionRequest(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("params")] KrakenV2SubscriptionParams Params,
    [property: JsonPropertyName("req_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? RequestId)
{
    /// <summary>Subscribes to the trade channel; <paramref name="snapshot"/> asks for the 50 most recent trades first.</summary>
    public static KrakenV2SubscriptionRequest SubscribeTrades(IReadOnlyList<string> symbols, bool snapshot, long? requestId) =>
        new(KrakenEndpoints.SubscribeMethod, new KrakenV2SubscriptionParams(KrakenEndpoints.TradeChannel, symbols, snapshot), requestId);

    public static KrakenV2SubscriptionRequest UnsubscribeTrades(IReadOnlyList<string> symbols, long? requestId) =>
        new(KrakenEndpoints.UnsubscribeMethod, new KrakenV2SubscriptionParams(KrakenEndpoints.TradeChannel, symbols, null), requestId);
}

/// <summary>The <c>params</c> of a subscription request; <c>snapshot</c> defaults to false on Kraken's side.</summary>
public sealed record KrakenV2SubscriptionParams(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("symbol")] IReadOnlyList<string> Symbols,
    [property: JsonPropertyName("snapshot"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Snapshot);

/// <summary>
/// The application-level ping, <c>{"method":"ping","req_id":101}</c>, distinct from the WebSocket protocol ping; any
/// request resets Kraken's one-minute idle timer.
/// </summary>
public sealed record KrakenV2PingRequest(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("req_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? RequestId)
{
    public static KrakenV2PingRequest Create(long? requestId) => new(KrakenEndpoints.PingMethod, requestId);
}

/// <summary>
/// One parsed WebSocket v2 frame. Trades and per-trade rejections go to the caller's lists; this says what the frame
/// was and carries the control fields: <see cref="Success"/>, <see cref="RequestId"/>, <see cref="Symbol"/> and
/// <see cref="Error"/> of a request's result, the engine state of a status message, a rejected frame's reason.
/// </summary>
/// <param name="Kind">What the frame is.</param>
/// <param name="TradeType">Snapshot or update, for <see cref="KrakenV2FrameKind.Trades"/>.</param>
/// <param name="TradeCount">Trades of this frame added to the list (valid ones only).</param>
/// <param name="RejectedCount">Rejections of this frame added to the list (one for a rejected frame).</param>
/// <param name="Success">A request result's <c>success</c>; false for a refused subscription.</param>
/// <param name="RequestId">The <c>req_id</c> a result echoes.</param>
/// <param name="Symbol">The symbol a subscription result is about, exactly as Kraken wrote it.</param>
/// <param name="Channel">The channel of a subscription result, or of an ignored channel message.</param>
/// <param name="Error">Kraken's error text: a refused request, or an <see cref="KrakenV2FrameKind.Error"/> frame.</param>
/// <param name="SystemStatus">The engine state of a <see cref="KrakenV2FrameKind.Status"/> message.</param>
/// <param name="ConnectionId">The status message's <c>connection_id</c> (an unsigned 64-bit number, for support).</param>
/// <param name="TimeIn">When Kraken received the request (<c>time_in</c>), where given.</param>
/// <param name="TimeOut">When Kraken sent the answer (<c>time_out</c>), where given.</param>
/// <param name="RejectReason">Why a <see cref="KrakenV2FrameKind.Rejected"/> frame was rejected.</param>
/// <param name="Detail">In words: why a frame was rejected, or what an ignored frame was.</param>
public readonly record struct KrakenV2Frame(
    KrakenV2FrameKind Kind,
    KrakenV2TradeMessageType TradeType = KrakenV2TradeMessageType.Unknown,
    int TradeCount = 0,
    int RejectedCount = 0,
    bool Success = false,
    long? RequestId = null,
    string? Symbol = null,
    string? Channel = null,
    string? Error = null,
    KrakenSystemStatus SystemStatus = KrakenSystemStatus.Unknown,
    ulong? ConnectionId = null,
    UnixMicros? TimeIn = null,
    UnixMicros? TimeOut = null,
    TradeRejectReason RejectReason = default,
    string? Detail = null);

/// <summary>
/// One parsed <c>GET /0/public/Trades</c> response. The trades went to the caller's list; <see cref="Last"/> is the
/// cursor to pass as <c>since</c> for the next page: nanoseconds since 1970 as Kraken sent them (19 digits), never a
/// floating-point number.
/// </summary>
/// <param name="Outcome">Trades, or which kind of refusal.</param>
/// <param name="Last">The <c>last</c> cursor, verbatim.</param>
/// <param name="LastNanoseconds">The cursor as a number, when it is one.</param>
/// <param name="Errors">The <c>error</c> array (warnings included).</param>
/// <param name="TradeCount">Trades added to the list.</param>
/// <param name="RejectedCount">Rejections added to the list.</param>
/// <param name="Detail">Why a body was <see cref="KrakenRestOutcome.Malformed"/>.</param>
public sealed record KrakenRestTradesPage(
    KrakenRestOutcome Outcome,
    string? Last,
    long? LastNanoseconds,
    IReadOnlyList<string> Errors,
    int TradeCount,
    int RejectedCount,
    string? Detail = null);

/// <summary>Error texts Kraken sends that K2 recognises (and the simulator sends).</summary>
public static class KrakenErrorTexts
{
    /// <summary>WebSocket: too many requests on one connection; the connection is closed after it.</summary>
    public const string ExceededMessageRate = "Exceeded msg rate";

    /// <summary>WebSocket: a subscription to a symbol Kraken does not list is refused with this, then the symbol.</summary>
    public const string CurrencyPairNotSupported = "Currency pair not supported";

    /// <summary>WebSocket: a second subscription to the same symbol and channel.</summary>
    public const string AlreadySubscribed = "Already subscribed";

    /// <summary>REST: the public rate limit was hit (sent with HTTP 200, not 429).</summary>
    public const string RestTooManyRequests = "EGeneral:Too many requests";

    /// <summary>REST: the <c>pair</c> is not listed.</summary>
    public const string RestUnknownAssetPair = "EQuery:Unknown asset pair";

    /// <summary>REST: a parameter is missing or malformed.</summary>
    public const string RestInvalidArguments = "EGeneral:Invalid arguments";
}

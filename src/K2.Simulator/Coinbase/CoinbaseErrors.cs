namespace K2.Simulator.Coinbase;

/// <summary>
/// The texts of the simulator's Coinbase errors. WebSocket errors have the shape the reference quotes,
/// <c>{"type":"error","message":"Failed to subscribe"}</c>, plus the <c>reason</c> Coinbase's Exchange feed adds
/// (<c>"GIBBERISH-USD is not a valid product"</c>); Advanced Trade's exact texts are not documented, so the reasons are
/// the simulator's own. REST errors use the Advanced Trade shape <c>{"error","error_details","message"}</c>.
/// </summary>
internal static class CoinbaseErrors
{
    public const string FailedToSubscribe = "Failed to subscribe";
    public const string FailedToUnsubscribe = "Failed to unsubscribe";
    public const string MalformedMessage = "Malformed message";
    public const string UnknownMessageType = "Unknown message type";
    public const string RateLimitExceeded = "Rate limit exceeded";

    public const string NotAnObject = "expected a JSON object";
    public const string MissingChannel = "'channel' is required: name exactly one channel per message";
    public const string OneChannelPerMessage = "one channel per message: send a separate subscribe message for each channel";
    public const string ChannelNotAString = "'channel' must be a single channel name";
    public const string MissingProductIds = "'product_ids' is required for market_trades";
    public const string ProductIdsNotStrings = "'product_ids' must be an array of strings";

    /// <summary>The close that follows the rate-limit error (1008), and the one for a client that never subscribed.</summary>
    public const string TooManyMessagesCloseReason = "Too many messages";
    public const string SubscribeTimeoutCloseReason = "No subscribe message within the timeout";

    public const string RestNotFound = "NOT_FOUND";
    public const string RestInvalidArgument = "INVALID_ARGUMENT";
    public const string RestRateLimited = "RATE_LIMIT_EXCEEDED";
    public const string RestTooManyRequests = "Too many requests";
    public const string RestProductNotFound = "product not found";
    public const string RestLimitRequired = "limit is required";
    public const string RestStartAfterEnd = "start must not be after end";

    public static string InvalidJson(string detail) => $"invalid JSON: {detail}";

    public static string UnknownType(string? type) => $"'{type}' is neither subscribe nor unsubscribe";

    public static string UnsupportedChannel(string channel) => $"'{channel}' is not a channel this server serves (market_trades, heartbeats)";

    public static string InvalidProduct(string productId) => $"{productId} is not a valid product";

    public static string TooManyMessages(int perSecond) => $"more than {perSecond} messages in one second";

    public static string RestLimitOutOfRange(int max) => $"limit must be an integer from 1 to {max}";

    public static string RestInvalidTime(string parameter) => $"{parameter} must be a UNIX time in seconds";
}

using K2.Core.Exchanges.Kraken;

namespace K2.Simulator.Kraken;

/// <summary>
/// The error texts the simulated Kraken sends. Recorded: seen from the live venue in third-party clients' captures.
/// Assumed: Kraken documents no text for the case, so the simulator follows Kraken's own prefixes and patterns with
/// its own detail. K2 must rely on <c>success:false</c> and the symbol, never on an assumed text.
/// </summary>
internal static class KrakenSimulatorErrors
{
    /// <summary>Recorded: <c>{"error":"Currency pair not supported XBT/USD",…,"symbol":"XBT/USD",…}</c>.</summary>
    public static string CurrencyPairNotSupported(string symbol) => $"{KrakenErrorTexts.CurrencyPairNotSupported} {symbol}";

    /// <summary>Recorded, for a second subscription to one symbol.</summary>
    public const string AlreadySubscribed = KrakenErrorTexts.AlreadySubscribed;

    /// <summary>Recorded (for a ping carrying <c>params</c>): <c>Unsupported field: 'params' for the given msg type: ping</c>.</summary>
    public static string UnsupportedField(string field, string method) => $"Unsupported field: '{field}' for the given msg type: {method}";

    /// <summary>Recorded for a subscribe request; the simulator sends it for any channel but <c>trade</c>, the only one it serves.</summary>
    public const string UnsupportedEvent = "Unsupported event";

    /// <summary>Assumed (Kraken v1's text): unsubscribing from a symbol the connection is not subscribed to.</summary>
    public const string SubscriptionNotFound = "Subscription Not Found";

    /// <summary>Assumed: a message that is not a JSON object, or has no string <c>method</c> or an integer-less <c>req_id</c>.</summary>
    public const string MalformedRequest = "Malformed request";

    /// <summary>Assumed: a <c>method</c> the simulator does not know.</summary>
    public const string MethodNotFound = "Method not found";

    /// <summary>Assumed, after Kraken's recorded <c>EGeneral:Invalid arguments:&lt;detail&gt;</c> pattern.</summary>
    public static string InvalidArguments(string detail) => $"EGeneral:Invalid arguments:{detail}";
}

using System.Globalization;

namespace K2.Simulator.Binance;

/// <summary>
/// Binance's error codes and texts as the simulator sends them. WebSocket-stream errors use the small positive
/// codes of web-socket-streams.md ("Error Messages") and arrive nested, <c>{"error":{"code":2,"msg":"…"},"id":1}</c>,
/// as captured from the live service (the docs' table shows them flat). REST errors use errors.md's negative codes.
/// </summary>
internal static class BinanceErrors
{
    public const int UnknownPropertyCode = 0;
    public const int InvalidValueTypeCode = 1;
    public const int InvalidRequestCode = 2;
    public const int InvalidJsonCode = 3;

    /// <summary>Captured from the live service when a connection passes its stream limit.</summary>
    public const int TooManySubscriptionsCode = 4;

    public const string UnknownProperty = "Unknown property";
    public const string InvalidValueType = "Invalid value type: expected Boolean";
    public const string InvalidStream = "Invalid request: invalid stream";
    public const string InvalidRequestId = "Invalid request: request ID must be an unsigned integer";
    public const string PropertyNameNotString = "Invalid request: property name must be a string";
    public const string TooManyParameters = "Invalid request: too many parameters";
    public const string TooManySubscriptions = "Too many subscriptions";
    public const string NotAnObject = "Invalid request: expected a JSON object";

    /// <summary>The WebSocket close that ends a connection over the incoming-message limit (1008).</summary>
    public const string TooManyRequestsCloseReason = "Too many requests";

    /// <summary>errors.md, TOO_MANY_REQUESTS: sent with HTTP 429 (over the request-weight limit) and 418 (banned).</summary>
    public const int TooManyRequestsCode = -1003;

    public const int IllegalCharsCode = -1100;
    public const int MandatoryParamCode = -1102;
    public const int BadSymbolCode = -1121;
    public const int TooLongTimeRangeCode = -1127;
    public const int BadCombinationCode = -1128;
    public const int InvalidParameterCode = -1130;
    public const int InvalidTimeUnitCode = -1194;

    public const string BadSymbol = "Invalid symbol.";
    public const string BadCombination = "Combination of optional parameters invalid.";

    /// <summary>aggTrades' <c>startTime</c> and <c>endTime</c> must lie less than this apart.</summary>
    public static readonly TimeSpan MaxAggregateTradesRange = TimeSpan.FromHours(1);
    public const string InvalidTimeUnit = "Invalid value for time unit; expected either MICROSECOND or MILLISECOND.";

    /// <summary>The patterns Binance quotes in its -1100 texts.</summary>
    public const string IntegerPattern = "^[0-9]{1,20}$";
    public const string SymbolPattern = "^[A-Z0-9-_.]{1,20}$";

    public static string InvalidJson(int line, int column) =>
        string.Create(CultureInfo.InvariantCulture, $"Invalid JSON: expected value at line {line} column {column}");

    /// <summary>The 429 text as the live service sends it (IP and limit filled in).</summary>
    public static string TooManyRequests(string ip, int limitPerMinute) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Too many requests; current limit of IP({ip}) is {limitPerMinute} requests per minute. Please use the websocket for live updates to avoid polling the API.");

    /// <summary>The 418 text as the live service sends it; the ban ends at <paramref name="bannedUntilMs"/> (epoch ms).</summary>
    public static string Banned(string ip, long bannedUntilMs) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Way too many requests; IP({ip}) banned until {bannedUntilMs}. Please use the websocket for live updates to avoid bans.");

    public static string MissingField(string field) => $"Invalid request: missing field `{field}`";

    public static string InvalidFieldType(string field, string expected) => $"Invalid request: invalid type for `{field}`, expected {expected}";

    public static string UnknownMethod(string method) =>
        $"Invalid request: unknown variant `{method}`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`";

    public static string IllegalChars(string parameter, string pattern) =>
        $"Illegal characters found in parameter '{parameter}'; legal range is '{pattern}'.";

    public static string MandatoryParam(string parameter) =>
        $"Mandatory parameter '{parameter}' was not sent, was empty/null, or malformed.";

    public static string GreaterThan(string parameter, int max) =>
        string.Create(CultureInfo.InvariantCulture, $"'{parameter}' contains unexpected value. Cannot be greater than {max}.");

    public static string TooLongTimeRange(TimeSpan max) =>
        string.Create(CultureInfo.InvariantCulture, $"More than {max.TotalHours:0} hours between startTime and endTime.");

    public static string InvalidParameter(string parameter) => $"Data sent for parameter '{parameter}' is not valid.";
}

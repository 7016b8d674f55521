namespace K2.Core.Exchanges.Binance;

/// <summary>Every shape of message a Binance market-data connection can send, as the parser classifies it.</summary>
public enum BinanceFrameKind : byte
{
    /// <summary>A <c>trade</c> event that passed validation.</summary>
    Trade,

    /// <summary>The answer to a SUBSCRIBE/UNSUBSCRIBE request: <c>{"result":null,"id":1}</c>.</summary>
    RequestResult,

    /// <summary>An error answer: <c>{"code":2,"msg":"…","id":1}</c> or <c>{"error":{…},"id":1}</c>.</summary>
    RequestError,

    /// <summary><c>serverShutdown</c>: the server is about to close this connection.</summary>
    ServerShutdown,

    /// <summary>Well-formed JSON that is not a message K2 handles (another event type).</summary>
    Ignored,

    /// <summary>A trade or frame that is malformed or fails validation; see the rejection reason.</summary>
    Rejected,
}

/// <summary>Unit of every timestamp on a connection: milliseconds by default, microseconds on request.</summary>
public enum BinanceTimeUnit : byte
{
    Millisecond,
    Microsecond,

    /// <summary>
    /// Infer per value, for captures whose connection is unknown: below 10^14 a time is milliseconds (the year 5138),
    /// at or above it microseconds (1973). Any real trade time falls unambiguously on one side.
    /// </summary>
    Detect,
}

namespace K2.Simulator.Binance;

/// <summary>A well-formed stream request. Which fields are set depends on the method.</summary>
/// <param name="Method">What the client asks for.</param>
/// <param name="Id">Echoed in the answer.</param>
/// <param name="Streams">SUBSCRIBE and UNSUBSCRIBE: the stream names, not yet checked against the market.</param>
/// <param name="Combined">SET_PROPERTY: the new value of the only property, <c>combined</c>.</param>
internal sealed record BinanceRequest(
    BinanceRequestMethod Method,
    BinanceRequestId Id,
    IReadOnlyList<string> Streams,
    bool Combined = false);

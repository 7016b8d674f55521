namespace K2.Simulator.Coinbase;

/// <summary>A well-formed subscribe or unsubscribe: one channel, and product ids as sent (not yet checked).</summary>
/// <param name="Subscribe">True for <c>subscribe</c>, false for <c>unsubscribe</c>.</param>
/// <param name="Channel">The one channel named.</param>
/// <param name="ProductIds">Null when the message has none (an unsubscribe then leaves the whole channel).</param>
internal sealed record CoinbaseRequest(bool Subscribe, string Channel, IReadOnlyList<string>? ProductIds);

/// <summary>What the server answers a request it refuses: <c>{"type":"error","message":…,"reason":…}</c>.</summary>
internal sealed record CoinbaseRequestError(string Message, string Reason);

namespace K2.Simulator.Kraken;

/// <summary>A well-formed client request: <c>subscribe</c>/<c>unsubscribe</c> (trade channel) or <c>ping</c>.</summary>
/// <param name="Method">The request's <c>method</c>, one of the <see cref="K2.Core.Exchanges.Kraken.KrakenEndpoints"/> method names.</param>
/// <param name="RequestId">The optional <c>req_id</c>, echoed in every answer.</param>
/// <param name="Symbols">For (un)subscriptions: the symbols, in request order.</param>
/// <param name="Snapshot">For subscriptions: whether the 50 most recent trades are sent first (default false).</param>
internal sealed record KrakenRequest(string Method, long? RequestId, IReadOnlyList<string> Symbols, bool Snapshot);

/// <summary>A request refused as a whole, before any symbol was looked at.</summary>
/// <param name="Error">Kraken's error text.</param>
/// <param name="Method">The <c>method</c>, where the request named one.</param>
/// <param name="RequestId">The <c>req_id</c>, where the request had a valid one.</param>
internal sealed record KrakenRequestError(string Error, string? Method, long? RequestId);

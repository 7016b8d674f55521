namespace K2.Api.Contracts;

/// <summary>
/// One trade as the API returns it. Prices and quantities are decimal strings, never JSON numbers, so no client
/// parses them into binary floating point by accident; times are ISO 8601 UTC with microseconds.
/// </summary>
public sealed record TradeResponse(
    string Exchange,
    string Symbol,
    string RawSymbol,
    string TradeId,
    string Price,
    string Quantity,
    string Side,
    string ExchangeTs,
    string ReceiptTs,
    string IngestTs);

/// <summary>A page of trades; <see cref="NextCursor"/> continues it, null when the range is exhausted.</summary>
public sealed record TradesResponse(IReadOnlyList<TradeResponse> Trades, string? NextCursor);

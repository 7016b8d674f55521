namespace K2.Core.Trades;

/// <summary>
/// A trade, or a whole frame, that K2 could not accept: why, in a closed set of reasons and in words, and whatever of
/// the trade's identity could be read (kept with the raw frame in bronze, and logged).
/// </summary>
public sealed record TradeRejection(TradeRejectReason Reason, string Detail, string? RawSymbol = null, string? RawTradeId = null);

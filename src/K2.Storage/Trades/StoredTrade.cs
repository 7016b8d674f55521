using K2.Core;
using K2.Core.Trades;

namespace K2.Storage.Trades;

/// <summary>A trade as read back from storage, with the time it was written.</summary>
public sealed record StoredTrade(
    string Exchange,
    string Symbol,
    string RawSymbol,
    string TradeId,
    decimal Price,
    decimal Quantity,
    TradeSide Side,
    UnixMicros ExchangeTime,
    UnixMicros ReceiptTime,
    UnixMicros IngestTime);

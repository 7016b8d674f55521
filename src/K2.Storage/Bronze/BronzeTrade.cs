using K2.Core;
using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Storage.Bronze;

/// <summary>
/// One trade as received, valid or not: the typed fields as far as they parsed, the frame it came in (verbatim; for
/// REST rows, the request), and why it was rejected. Trades of one frame share its bytes.
/// </summary>
public readonly record struct BronzeTrade(
    UnixMicros ReceiptTime,
    BronzeSource Source,
    string ConnectionId,
    long FrameSequence,
    int TradeIndex,
    string RawSymbol,
    Instrument? Instrument,
    string TradeId,
    decimal? Price,
    decimal? Quantity,
    TradeSide? Side,
    UnixMicros? ExchangeTime,
    ReadOnlyMemory<byte> RawFrame,
    TradeRejection? Rejection)
{
    public static BronzeTrade Accepted(Trade trade, BronzeSource source, string connectionId, long frameSequence, int tradeIndex, ReadOnlyMemory<byte> rawFrame) =>
        new(trade.ReceiptTime, source, connectionId, frameSequence, tradeIndex, trade.Instrument.ExchangeSymbol, trade.Instrument,
            trade.TradeId.ToString(), trade.Price, trade.Quantity, trade.Side, trade.ExchangeTime, rawFrame, null);

    public static BronzeTrade Rejected(
        TradeRejection rejection, UnixMicros receiptTime, BronzeSource source, string connectionId, long frameSequence, int tradeIndex, ReadOnlyMemory<byte> rawFrame) =>
        new(receiptTime, source, connectionId, frameSequence, tradeIndex, rejection.RawSymbol ?? "", null, rejection.RawTradeId ?? "",
            null, null, null, null, rawFrame, rejection);
}

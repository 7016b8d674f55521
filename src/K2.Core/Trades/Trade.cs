using K2.Core.Instruments;

namespace K2.Core.Trades;

/// <summary>
/// One normalized trade. Exchange, canonical symbol and raw exchange symbol come from <see cref="Instrument"/>;
/// <see cref="Side"/> is the taker side; prices and quantities are exact decimals as the exchange printed them.
/// </summary>
public readonly record struct Trade(
    Instrument Instrument,
    TradeId TradeId,
    decimal Price,
    decimal Quantity,
    TradeSide Side,
    UnixMicros ExchangeTime,
    UnixMicros ReceiptTime)
{
    public Exchange Exchange => Instrument.Exchange;
    public string Symbol => Instrument.Symbol;
}

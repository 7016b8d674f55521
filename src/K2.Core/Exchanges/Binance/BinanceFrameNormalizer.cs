using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Binance;

/// <summary>
/// <see cref="ITradeFrameNormalizer"/> for Binance frames. The time unit is the connection's (<c>timeUnit=MICROSECOND</c>
/// or not), which a frame does not say; <see cref="BinanceTimeUnit.Detect"/> infers it per trade from the magnitude.
/// </summary>
public sealed class BinanceFrameNormalizer(
    InstrumentRegistry registry, BinanceTimeUnit timeUnit, ExchangeTimeRule timeRule = ExchangeTimeRule.Live) : ITradeFrameNormalizer
{
    public Exchange Exchange => Exchange.Binance;

    public void Normalize(ReadOnlySpan<byte> frame, UnixMicros receivedAt, List<Trade> trades, List<TradeRejection> rejections)
    {
        var parsed = BinanceTradeParser.Parse(frame, receivedAt, timeUnit, registry, timeRule);
        switch (parsed.Kind)
        {
            case BinanceFrameKind.Trade:
                trades.Add(parsed.Trade);
                break;
            case BinanceFrameKind.Rejected:
                rejections.Add(new TradeRejection(parsed.RejectReason, parsed.Detail ?? "rejected", parsed.RawSymbol, parsed.RawTradeId));
                break;
        }
    }
}

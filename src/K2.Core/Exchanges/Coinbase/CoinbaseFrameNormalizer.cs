using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Coinbase;

/// <summary>
/// <see cref="ITradeFrameNormalizer"/> for Coinbase Advanced Trade frames. The side convention is the deployment's
/// (<c>K2:Exchanges:Coinbase:SideConvention</c>); a frame does not say which one it follows.
/// </summary>
public sealed class CoinbaseFrameNormalizer(
    InstrumentRegistry registry, CoinbaseSideConvention sides, ExchangeTimeRule timeRule = ExchangeTimeRule.Live) : ITradeFrameNormalizer
{
    public Exchange Exchange => Exchange.Coinbase;

    public void Normalize(ReadOnlySpan<byte> frame, UnixMicros receivedAt, List<Trade> trades, List<TradeRejection> rejections) =>
        CoinbaseTradeParser.Parse(frame, receivedAt, registry, sides, trades, rejections, timeRule);
}

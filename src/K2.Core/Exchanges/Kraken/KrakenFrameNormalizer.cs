using K2.Core.Instruments;
using K2.Core.Trades;

namespace K2.Core.Exchanges.Kraken;

/// <summary>
/// <see cref="ITradeFrameNormalizer"/> for Kraken WebSocket v2 frames: a snapshot or update adds each of its valid
/// trades and a rejection per bad trade; a malformed frame adds one rejection; control messages add nothing.
/// </summary>
public sealed class KrakenFrameNormalizer(InstrumentRegistry registry, ExchangeTimeRule timeRule = ExchangeTimeRule.Live) : ITradeFrameNormalizer
{
    public Exchange Exchange => Exchange.Kraken;

    public void Normalize(ReadOnlySpan<byte> frame, UnixMicros receivedAt, List<Trade> trades, List<TradeRejection> rejections) =>
        KrakenV2TradeParser.Parse(frame, receivedAt, registry, trades, rejections, timeRule);
}

using K2.Core.Trades;

namespace K2.Core.Exchanges;

/// <summary>
/// Turns one raw frame of an exchange's trade stream into canonical trades and rejections, whatever else the frame is
/// (acks, heartbeats and other control messages add nothing). Pure: the receipt time is an argument. Used where the
/// frame's meaning beyond its trades does not matter: <c>k2 normalize</c>, benchmarks, replays.
/// </summary>
public interface ITradeFrameNormalizer
{
    Exchange Exchange { get; }

    /// <summary>Appends the frame's valid trades to <paramref name="trades"/> and every rejection to <paramref name="rejections"/>.</summary>
    void Normalize(ReadOnlySpan<byte> frame, UnixMicros receivedAt, List<Trade> trades, List<TradeRejection> rejections);
}

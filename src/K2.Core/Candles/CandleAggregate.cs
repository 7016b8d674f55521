using K2.Core.Trades;

namespace K2.Core.Candles;

/// <summary>
/// The exact aggregate of one bucket's trades, in the integer units of <see cref="CandleAmounts"/>. Trades can be
/// added in any order (open and close follow <see cref="TradeOrder"/>, not arrival), and an aggregate recomputed
/// from stored trades can be continued with new ones, so a late trade corrects a candle without replaying the bucket.
/// Each trade must be added once: the instrument grain drops repeats before they get here.
/// </summary>
public sealed class CandleAggregate
{
    public long Open { get; private set; }
    public long High { get; private set; }
    public long Low { get; private set; }
    public long Close { get; private set; }
    public TradeOrder First { get; private set; }
    public TradeOrder Last { get; private set; }
    public Int128 Volume { get; private set; }
    public Int128 QuoteVolume { get; private set; }
    public Int128 BuyVolume { get; private set; }
    public Int128 SellVolume { get; private set; }
    public long TradeCount { get; private set; }

    public bool IsEmpty => TradeCount == 0;

    public Int128 Vwap => CandleAmounts.Vwap(QuoteVolume, Volume);

    public void Add(in Trade trade)
    {
        var price = CandleAmounts.ToUnits(trade.Price);
        var quantity = CandleAmounts.ToUnits(trade.Quantity);
        var order = TradeOrder.Of(trade);
        if (TradeCount == 0)
        {
            (Open, High, Low, Close, First, Last) = (price, price, price, price, order, order);
        }
        else
        {
            High = Math.Max(High, price);
            Low = Math.Min(Low, price);
            if (order < First)
            {
                (Open, First) = (price, order);
            }

            if (order > Last)
            {
                (Close, Last) = (price, order);
            }
        }

        checked
        {
            Volume += quantity;
            QuoteVolume += (Int128)price * quantity;
            if (trade.Side == TradeSide.Buy)
            {
                BuyVolume += quantity;
            }
            else
            {
                SellVolume += quantity;
            }

            TradeCount++;
        }
    }

    /// <summary>The aggregate of trades already stored, as <c>CandleQueries</c> recompute it; the starting point of a correction.</summary>
    public static CandleAggregate FromStored(
        long open, long high, long low, long close, TradeOrder first, TradeOrder last,
        Int128 volume, Int128 quoteVolume, Int128 buyVolume, Int128 sellVolume, long tradeCount) => new()
    {
        Open = open,
        High = high,
        Low = low,
        Close = close,
        First = first,
        Last = last,
        Volume = volume,
        QuoteVolume = quoteVolume,
        BuyVolume = buyVolume,
        SellVolume = sellVolume,
        TradeCount = tradeCount,
    };
}

using K2.Core.Trades;

namespace K2.Core.Candles;

/// <summary>
/// The order that decides a candle's open and close: exchange time, then trade id, ids compared by the length and then
/// the characters of their text. For integer ids that is numeric order; it is also an order SQL can state
/// (<c>(exchange_ts, length(trade_id), trade_id)</c>), so a candle can be recomputed from stored trades exactly.
/// </summary>
public readonly record struct TradeOrder(UnixMicros ExchangeTime, TradeId TradeId) : IComparable<TradeOrder>
{
    public static TradeOrder Of(in Trade trade) => new(trade.ExchangeTime, trade.TradeId);

    public int CompareTo(TradeOrder other)
    {
        var byTime = ExchangeTime.CompareTo(other.ExchangeTime);
        return byTime != 0 ? byTime : CompareIds(TradeId, other.TradeId);
    }

    public static bool operator <(TradeOrder left, TradeOrder right) => left.CompareTo(right) < 0;
    public static bool operator >(TradeOrder left, TradeOrder right) => left.CompareTo(right) > 0;
    public static bool operator <=(TradeOrder left, TradeOrder right) => left.CompareTo(right) <= 0;
    public static bool operator >=(TradeOrder left, TradeOrder right) => left.CompareTo(right) >= 0;

    private static int CompareIds(TradeId left, TradeId right)
    {
        if (left.IsNumeric && right.IsNumeric)
        {
            return left.Number.CompareTo(right.Number);
        }

        // Rare (text ids): the ids are ASCII in practice, where UTF-16 ordinal order equals ClickHouse's byte order.
        var (l, r) = (left.ToString(), right.ToString());
        var byLength = l.Length.CompareTo(r.Length);
        return byLength != 0 ? byLength : string.CompareOrdinal(l, r);
    }
}

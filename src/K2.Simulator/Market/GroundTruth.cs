using K2.Core;

namespace K2.Simulator;

/// <summary>
/// Every trade the simulator printed, per exchange and symbol, in print order. This is what a consumer should have
/// stored after a run, whatever faults it met. Thread-safe; every read returns a snapshot.
/// </summary>
/// <remarks>
/// Memory is bounded: each symbol keeps its newest <see cref="SimulatorOptions.MaxTradesPerSymbol"/> trades (about
/// 90 bytes each), so a long demo run neither grows without limit nor forgets anything a test run looks at.
/// </remarks>
public sealed class GroundTruth
{
    private readonly Lock _gate = new();
    private readonly List<PrintedTrade> _all = [];
    private readonly Dictionary<(Exchange, string), List<PrintedTrade>> _bySymbol = [];
    private readonly int _maxPerSymbol;

    internal GroundTruth(int maxTradesPerSymbol)
    {
        _maxPerSymbol = maxTradesPerSymbol;
    }

    /// <summary>Every trade of every exchange, in print order.</summary>
    public IReadOnlyList<PrintedTrade> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _all];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _all.Count;
            }
        }
    }

    /// <summary>The trades of one symbol in print (and trade id) order; empty for a symbol that never traded.</summary>
    public IReadOnlyList<PrintedTrade> For(Exchange exchange, string exchangeSymbol)
    {
        lock (_gate)
        {
            return _bySymbol.TryGetValue((exchange, exchangeSymbol), out var trades) ? [.. trades] : [];
        }
    }

    /// <summary>Up to <paramref name="limit"/> trades with ids from <paramref name="fromId"/> on, oldest first.</summary>
    internal IReadOnlyList<PrintedTrade> FromId(Exchange exchange, string exchangeSymbol, long fromId, int limit)
    {
        lock (_gate)
        {
            if (!_bySymbol.TryGetValue((exchange, exchangeSymbol), out var trades))
            {
                return [];
            }

            var start = FirstIndex(trades, t => t.TradeId < fromId);
            return trades.GetRange(start, Math.Min(limit, trades.Count - start));
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> trades printed at or after <paramref name="start"/> and, when given, at or before
    /// <paramref name="end"/>, oldest first.
    /// </summary>
    internal IReadOnlyList<PrintedTrade> FromTime(Exchange exchange, string exchangeSymbol, UnixMicros start, UnixMicros? end, int limit)
    {
        lock (_gate)
        {
            if (!_bySymbol.TryGetValue((exchange, exchangeSymbol), out var trades))
            {
                return [];
            }

            // Print times strictly increase per symbol, so they are searched like the ids.
            var first = FirstIndex(trades, t => t.TradeTime < start);
            var count = Math.Min(limit, trades.Count - first);
            if (end is { } last)
            {
                count = Math.Min(count, FirstIndex(trades, t => t.TradeTime <= last) - first);
            }

            return trades.GetRange(first, Math.Max(0, count));
        }
    }

    /// <summary>The most recent <paramref name="limit"/> trades, oldest first.</summary>
    internal IReadOnlyList<PrintedTrade> Latest(Exchange exchange, string exchangeSymbol, int limit)
    {
        lock (_gate)
        {
            if (!_bySymbol.TryGetValue((exchange, exchangeSymbol), out var trades))
            {
                return [];
            }

            var count = Math.Min(limit, trades.Count);
            return trades.GetRange(trades.Count - count, count);
        }
    }

    internal void Append(PrintedTrade trade)
    {
        lock (_gate)
        {
            _all.Add(trade);
            var key = (trade.Exchange, trade.ExchangeSymbol);
            if (!_bySymbol.TryGetValue(key, out var trades))
            {
                _bySymbol[key] = trades = [];
            }

            trades.Add(trade);
            TrimOldest(trades, _maxPerSymbol);
            TrimOldest(_all, _maxPerSymbol * _bySymbol.Count);
        }
    }

    /// <summary>Drops the oldest tenth once a list is a tenth over its cap, so trimming stays amortized O(1).</summary>
    private static void TrimOldest(List<PrintedTrade> trades, int cap)
    {
        var slack = Math.Max(1, cap / 10);
        if (trades.Count > cap + slack)
        {
            trades.RemoveRange(0, trades.Count - cap);
        }
    }

    /// <summary>
    /// The index of the first trade <paramref name="isBefore"/> is false for, by binary search: it must hold for a
    /// leading run of the list and for nothing after (ascending ids or times; ids need not be contiguous).
    /// </summary>
    private static int FirstIndex(List<PrintedTrade> trades, Func<PrintedTrade, bool> isBefore)
    {
        var (low, high) = (0, trades.Count);
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (isBefore(trades[middle]))
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}

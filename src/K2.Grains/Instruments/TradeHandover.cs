using K2.Core.Trades;
using K2.Grains.Abstractions;

namespace K2.Grains.Instruments;

/// <summary>
/// Hands trades to an instrument grain until it has taken all of them. A grain that waited its
/// <c>K2:Ingest:StoreWaitLimit</c> on a full store returns having taken only some; offering the rest again at once is
/// safe (the grain passes on each trade once) and keeps the caller (a session's receive loop, a backfill page) from
/// reading more while the store is behind.
/// </summary>
public static class TradeHandover
{
    public static async Task SendAsync(IInstrumentGrain grain, IReadOnlyList<Trade> trades, CancellationToken cancellationToken)
    {
        var taken = await grain.OnTradesAsync(trades, cancellationToken);
        while (taken < trades.Count)
        {
            var rest = trades.Skip(taken).ToArray();
            taken += await grain.OnTradesAsync(rest, cancellationToken);
        }
    }
}

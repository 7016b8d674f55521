using System.Collections.Concurrent;
using K2.Core;
using K2.Core.Trades;
using K2.Storage.History;
using K2.Storage.Trades;
using K2.Storage.Writers;

namespace K2.Grains.Instruments;

/// <summary>
/// The <see cref="LatestTradesWindow"/> of every instrument grain active in this silo: the grains open and close them,
/// the silver trade writer tells them what landed, and the API asks them for the latest trades. An instrument without
/// an active grain here has no window, and the API reads the store.
/// </summary>
public sealed class LatestTradeWindows : ILandedRowsObserver<Trade>, ILatestTradesSource
{
    private readonly ConcurrentDictionary<(Exchange Exchange, string Symbol), LatestTradesWindow> _windows = new();

    /// <summary>A fresh window for an activating grain (replacing any an earlier activation left).</summary>
    public LatestTradesWindow Open(Exchange exchange, string symbol) => _windows[(exchange, symbol)] = new LatestTradesWindow();

    /// <summary>The grain deactivates: its window no longer sees every trade.</summary>
    public void Close(Exchange exchange, string symbol, LatestTradesWindow window) =>
        _windows.TryRemove(new KeyValuePair<(Exchange, string), LatestTradesWindow>((exchange, symbol), window));

    public void Landed(IReadOnlyList<Trade> rows, UnixMicros? ingestTime)
    {
        foreach (var trade in rows)
        {
            if (_windows.TryGetValue((trade.Exchange, trade.Symbol), out var window))
            {
                window.Landed(trade, ingestTime);
            }
        }
    }

    public IReadOnlyList<StoredTrade>? TryGetLatest(Exchange exchange, string symbol, int limit, out long version)
    {
        if (_windows.TryGetValue((exchange, symbol), out var window))
        {
            return window.TryGetLatest(limit, out version);
        }

        version = 0;
        return null;
    }

    public long? VersionOf(Exchange exchange, string symbol) =>
        _windows.TryGetValue((exchange, symbol), out var window) ? window.Version : null;
}

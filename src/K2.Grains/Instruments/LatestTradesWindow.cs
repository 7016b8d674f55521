using K2.Core;
using K2.Core.Trades;
using K2.Storage.Trades;

namespace K2.Grains.Instruments;

/// <summary>
/// The newest trades one instrument grain passed on, in serving order (exchange time, then trade id by length and
/// text), each marked with its ingest time once its batch has landed in the hot store. A page is served from here
/// only when it is exactly what the store holds: the newest <c>limit</c> landed trades (the store has none of the
/// others yet), all after the point from which every stored trade of the instrument went through this grain (after
/// the newest trade stored before activation, and above any trade the window has let go of), with no gap and no
/// catch-up open (trades that may still come). Called by the grain and by the writer's loop: every member locks.
/// Every change takes a new <see cref="Version"/>, unique across all windows, so a caller that keeps what it made of
/// a page can tell whether the page would still be the same.
/// </summary>
public sealed class LatestTradesWindow
{
    private static long s_lastVersion;

    /// <summary>The JSON page maximum (<c>K2.Api.Contracts.TradesQuery.MaxLimit</c>): the deepest page served from here.</summary>
    public const int PageMax = 10_000;

    /// <summary>Trades kept: a full page of landed ones, with room for those still on their way to the store.</summary>
    private const int Capacity = PageMax + (PageMax / 10);

    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = []; // oldest first
    private readonly Dictionary<TradeId, Entry> _byId = [];
    private (UnixMicros Time, string Id)? _floor;
    private UnixMicros? _completeAfter;
    private bool _mayMissTrades = true;
    private long _version = NextVersion();

    /// <summary>Changes whenever what <see cref="TryGetLatest(int)"/> answers for some limit may change.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>
    /// Every stored trade newer than <paramref name="time"/> passes through this window from now on. Until this is
    /// said, the window answers nothing.
    /// </summary>
    public void CompleteAfter(UnixMicros time)
    {
        lock (_gate)
        {
            _completeAfter = time;
            Changed();
        }
    }

    /// <summary>Whether trades are known or feared missing (an open gap, a catch-up queued): no answers meanwhile.</summary>
    public void MayMissTrades(bool missing)
    {
        lock (_gate)
        {
            _mayMissTrades = missing;
            Changed();
        }
    }

    /// <summary>A trade the grain hands to the store; call before handing it over, so its landing cannot come first.</summary>
    public void Add(in Trade trade)
    {
        lock (_gate)
        {
            Insert(new Entry(trade, trade.TradeId.ToString()));
            Changed();
        }
    }

    /// <summary>A trade <see cref="Add"/>ed that the store never got (its hand-over was given up).</summary>
    public void Remove(TradeId id)
    {
        lock (_gate)
        {
            if (_byId.Remove(id, out var entry))
            {
                _entries.Remove(entry);
                Changed();
            }
        }
    }

    /// <summary>
    /// The trade landed in the hot store with <paramref name="ingestTime"/>; null when the writer cannot tell which of
    /// its attempts landed (the store's row then carries a time unknown here, and no page holding it is served).
    /// </summary>
    public void Landed(in Trade trade, UnixMicros? ingestTime)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(trade.TradeId, out Entry? entry))
            {
                // A trade the grain did not hand over (an operator's requested backfill writes to the same writer)
                // joins the window as it lands, so the window still holds every stored trade above its floor.
                entry = Insert(new Entry(trade, trade.TradeId.ToString()));
                if (entry is null)
                {
                    return;
                }
            }

            entry.Landed = true;
            entry.Stored = ingestTime is { } ingest
                ? new StoredTrade(
                    trade.Exchange.ToName(), trade.Symbol, trade.Instrument.ExchangeSymbol, entry.Id, trade.Price, trade.Quantity,
                    trade.Side, trade.ExchangeTime, trade.ReceiptTime, ingest)
                : null;
            Changed();
        }
    }

    /// <summary>The newest <paramref name="limit"/> stored trades, newest first, or null when the window cannot be sure of them.</summary>
    public IReadOnlyList<StoredTrade>? TryGetLatest(int limit) => TryGetLatest(limit, out _);

    /// <summary><see cref="TryGetLatest(int)"/>, with the <see cref="Version"/> the answer belongs to.</summary>
    public IReadOnlyList<StoredTrade>? TryGetLatest(int limit, out long version)
    {
        lock (_gate)
        {
            version = _version;
            if (limit is < 1 or > PageMax)
            {
                return null;
            }

            if (_completeAfter is not { } completeAfter || _mayMissTrades)
            {
                return null;
            }

            var page = new List<StoredTrade>(limit);
            Entry? oldest = null;
            for (var i = _entries.Count - 1; i >= 0 && page.Count < limit; i--)
            {
                if (!_entries[i].Landed)
                {
                    continue;
                }

                if (_entries[i].Stored is not { } stored)
                {
                    return null; // stored, but with an ingest time not known here
                }

                page.Add(stored);
                oldest = _entries[i];
            }

            // Stored trades at or below the oldest row's position may not have passed through here.
            return page.Count == limit && oldest!.Time > completeAfter && (_floor is not { } floor || Compare(oldest.Time, oldest.Id, floor.Time, floor.Id) > 0)
                ? page
                : null;
        }
    }

    /// <summary>Puts <paramref name="entry"/> in order unless it lies at or below the floor; the entry, or null. Under the lock.</summary>
    private Entry? Insert(Entry entry)
    {
        if (_floor is { } floor && Compare(entry.Time, entry.Id, floor.Time, floor.Id) <= 0)
        {
            return null; // below what the window covers
        }

        var at = _entries.Count;
        while (at > 0 && Compare(_entries[at - 1], entry) > 0)
        {
            at--; // trades come nearly in order: a short walk back
        }

        _entries.Insert(at, entry);
        _byId[entry.Trade.TradeId] = entry;
        if (_entries.Count > Capacity)
        {
            var oldest = _entries[0];
            _entries.RemoveAt(0);
            _byId.Remove(oldest.Trade.TradeId);
            _floor = (oldest.Time, oldest.Id);
        }

        return entry;
    }

    private static long NextVersion() => Interlocked.Increment(ref s_lastVersion);

    /// <summary>Under the lock.</summary>
    private void Changed() => Volatile.Write(ref _version, NextVersion());

    private static int Compare(Entry a, Entry b) => Compare(a.Time, a.Id, b.Time, b.Id);

    private static int Compare(UnixMicros aTime, string aId, UnixMicros bTime, string bId)
    {
        var byTime = aTime.Value.CompareTo(bTime.Value);
        if (byTime != 0)
        {
            return byTime;
        }

        var byLength = aId.Length.CompareTo(bId.Length);
        return byLength != 0 ? byLength : string.CompareOrdinal(aId, bId);
    }

    private sealed class Entry(Trade trade, string id)
    {
        public Trade Trade { get; } = trade;

        public string Id { get; } = id;

        public UnixMicros Time => Trade.ExchangeTime;

        public bool Landed { get; set; }

        /// <summary>The trade as the store holds it, once it has landed with a known ingest time.</summary>
        public StoredTrade? Stored { get; set; }
    }
}

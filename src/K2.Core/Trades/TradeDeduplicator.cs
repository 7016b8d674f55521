namespace K2.Core.Trades;

/// <summary>
/// Per-instrument duplicate filter. Exchanges re-send trades (Kraken's snapshot on every subscribe, overlapping REST
/// pages, a rotated connection's overlap), so each instrument remembers the trade ids it has passed on. Sequential
/// numeric ids need only the highest one; text ids are kept in a bounded recent window.
/// </summary>
public sealed class TradeDeduplicator(int textIdWindow = TradeDeduplicator.DefaultTextIdWindow)
{
    /// <summary>Text ids remembered; far more than any exchange re-sends after a reconnect.</summary>
    public const int DefaultTextIdWindow = 100_000;

    private readonly HashSet<string> _recentText = new(StringComparer.Ordinal);
    private readonly Queue<string> _textOrder = new();
    private long? _highestNumeric;

    /// <summary>The highest numeric id passed on so far; the resume point after a restart.</summary>
    public long? HighestNumericId => _highestNumeric;

    /// <summary>Seeds the filter with the last id already stored (on activation, from the hot store).</summary>
    public void ResumeAfter(long storedTradeId)
    {
        if (_highestNumeric is null || storedTradeId > _highestNumeric)
        {
            _highestNumeric = storedTradeId;
        }
    }

    /// <summary>True when <paramref name="id"/> has not been seen and is now recorded; false for a duplicate.</summary>
    public bool TryAccept(TradeId id)
    {
        if (id.IsNumeric)
        {
            if (_highestNumeric is { } highest && id.Number <= highest)
            {
                return false;
            }

            _highestNumeric = id.Number;
            return true;
        }

        var text = id.ToString();
        if (!_recentText.Add(text))
        {
            return false;
        }

        _textOrder.Enqueue(text);
        if (_textOrder.Count > textIdWindow)
        {
            _recentText.Remove(_textOrder.Dequeue());
        }

        return true;
    }
}

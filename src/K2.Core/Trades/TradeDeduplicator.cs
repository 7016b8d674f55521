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

    /// <summary>True when <paramref name="id"/> has been passed on already.</summary>
    public bool HasSeen(TradeId id) =>
        id.IsNumeric ? _highestNumeric is { } highest && id.Number <= highest : _recentText.Contains(id.ToString());

    /// <summary>Records <paramref name="id"/> as passed on.</summary>
    public void Record(TradeId id)
    {
        if (id.IsNumeric)
        {
            _highestNumeric = Math.Max(_highestNumeric ?? long.MinValue, id.Number);
            return;
        }

        var text = id.ToString();
        if (!_recentText.Add(text))
        {
            return;
        }

        _textOrder.Enqueue(text);
        if (_textOrder.Count > textIdWindow)
        {
            _recentText.Remove(_textOrder.Dequeue());
        }
    }
}

namespace K2.Core.Trades;

/// <summary>Which checks a trade's exchange time must pass against its receipt time.</summary>
public enum ExchangeTimeRule
{
    /// <summary>
    /// Live ingest: not ahead of receipt by more than the clock skew, and not older than
    /// <see cref="TradeValidator.MaxAge"/> (the hot store keeps 30 days, and a backfill never reaches further).
    /// </summary>
    Live,

    /// <summary>
    /// History: a replayed capture, or an operator's requested backfill. Any age is accepted, but a time ahead of the
    /// receipt clock is still refused.
    /// </summary>
    Replay,
}

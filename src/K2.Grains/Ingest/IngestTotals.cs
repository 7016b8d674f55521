namespace K2.Grains.Ingest;

/// <summary>
/// What ingest has done for one exchange since start, for the dashboard and status; and the gaps open now (how many,
/// the trade ids they miss, and when the oldest was found).
/// </summary>
public sealed record IngestTotals(
    long TradesReceived,
    long TradesRejected,
    long TradesStored,
    long Duplicates,
    long GapsDetected,
    long GapsRepaired,
    long TradesBackfilled,
    long TradesLost,
    long GapsOverdue,
    long GapsOpen,
    long TradesMissing,
    DateTimeOffset? OldestGapSince);

namespace K2.Grains.Ingest;

/// <summary>What ingest has done for one exchange since start, for the dashboard and status.</summary>
public sealed record IngestTotals(
    long TradesReceived,
    long TradesRejected,
    long TradesStored,
    long Duplicates,
    long GapsDetected,
    long GapsRepaired,
    long TradesBackfilled,
    long TradesLost);

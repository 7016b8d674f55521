namespace K2.Simulator.Control;

/// <summary>A printed trade as the control API returns it: decimals as exact strings, the time in µs since 1970.</summary>
internal sealed record GroundTruthTrade(
    string Exchange,
    string ExchangeSymbol,
    long TradeId,
    string Price,
    string Quantity,
    string TakerSide,
    long TradeTime);

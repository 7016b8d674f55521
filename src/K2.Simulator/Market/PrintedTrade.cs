using K2.Core;
using K2.Core.Trades;

namespace K2.Simulator;

/// <summary>One trade the simulated market printed: what every feed and REST answer must agree with.</summary>
/// <param name="Exchange">The exchange that printed it.</param>
/// <param name="ExchangeSymbol">The exchange's own symbol (<c>BTCUSDT</c>).</param>
/// <param name="TradeId">Sequential per symbol.</param>
/// <param name="Price">Exact, at the instrument's price scale.</param>
/// <param name="Quantity">Exact, at the instrument's quantity scale.</param>
/// <param name="TakerSide">The aggressor's side.</param>
/// <param name="TradeTime">When it was printed, from the simulator's clock; strictly increasing per symbol.</param>
public sealed record PrintedTrade(
    Exchange Exchange,
    string ExchangeSymbol,
    long TradeId,
    decimal Price,
    decimal Quantity,
    TradeSide TakerSide,
    UnixMicros TradeTime);

namespace K2.Core.Trades;

/// <summary>The side of the taker (aggressor) order. Values are stable: they are written to storage.</summary>
public enum TradeSide : byte
{
    Buy = 1,
    Sell = 2,
}

public static class TradeSideNames
{
    public static string ToName(this TradeSide side) => side switch
    {
        TradeSide.Buy => "buy",
        TradeSide.Sell => "sell",
        _ => throw new ArgumentOutOfRangeException(nameof(side), side, "Unknown trade side."),
    };
}

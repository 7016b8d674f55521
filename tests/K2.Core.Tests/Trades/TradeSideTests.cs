using K2.Core.Trades;

namespace K2.Core.Tests.Trades;

public sealed class TradeSideTests
{
    [Fact]
    public void Stored_values_and_names_are_stable()
    {
        // The storage Enum8 is 'buy' = 1, 'sell' = 2.
        ((byte)TradeSide.Buy, TradeSide.Buy.ToName()).ShouldBe(((byte)1, "buy"));
        ((byte)TradeSide.Sell, TradeSide.Sell.ToName()).ShouldBe(((byte)2, "sell"));
    }

    [Fact]
    public void An_undefined_side_has_no_name()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => default(TradeSide).ToName());
    }
}

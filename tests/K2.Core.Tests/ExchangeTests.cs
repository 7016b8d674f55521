namespace K2.Core.Tests;

public sealed class ExchangeTests
{
    [Fact]
    public void Stored_ids_and_names_are_stable()
    {
        // Written to storage and configuration: changing one silently re-labels existing data.
        ExchangeNames.All.Select(e => ((byte)e, e.ToName()))
            .ShouldBe([(1, "binance"), (2, "kraken"), (3, "coinbase")]);
    }

    [Theory]
    [InlineData("binance", Exchange.Binance)]
    [InlineData("Kraken", Exchange.Kraken)]
    [InlineData("COINBASE", Exchange.Coinbase)]
    public void Names_parse_ignoring_case(string name, Exchange expected)
    {
        ExchangeNames.TryParse(name, out var exchange).ShouldBeTrue();
        exchange.ShouldBe(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bitstamp")]
    [InlineData(" binance")]
    [InlineData("1")]
    public void Unknown_names_do_not_parse(string name)
    {
        ExchangeNames.TryParse(name, out _).ShouldBeFalse();
    }

    [Fact]
    public void An_undefined_value_has_no_name()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => ((Exchange)0).ToName());
    }
}

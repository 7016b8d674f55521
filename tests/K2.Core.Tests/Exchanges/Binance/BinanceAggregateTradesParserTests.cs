using System.Text;
using K2.Core.Exchanges.Binance;

namespace K2.Core.Tests.Exchanges.Binance;

public sealed class BinanceAggregateTradesParserTests
{
    [Fact]
    public void The_first_aggregates_first_trade_id_is_read_from_the_docs_sample()
    {
        const string body = """[{"a":26129,"p":"0.01633102","q":"4.70443515","f":27781,"l":27783,"T":1498793709153,"m":true,"M":true},{"a":26130,"f":27784}]""";

        BinanceAggregateTradesParser.TryReadFirstTradeId(Encoding.UTF8.GetBytes(body), out var firstTradeId).ShouldBeTrue();

        firstTradeId.ShouldBe(27781);
    }

    [Fact]
    public void An_empty_list_means_no_trade_at_or_after_the_time()
    {
        BinanceAggregateTradesParser.TryReadFirstTradeId("[]"u8, out var firstTradeId).ShouldBeTrue();

        firstTradeId.ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"code":-1121,"msg":"Invalid symbol."}""")]
    [InlineData("""[{"a":26129,"l":27781}]""")]
    [InlineData("""[{"a":26129,"f":"27781"}]""")]
    [InlineData("""[{"a":26129,"f":-1}]""")]
    [InlineData("""[1]""")]
    [InlineData("""[{"a":26129,""")]
    public void Anything_else_is_not_an_aggregate_list(string body)
    {
        BinanceAggregateTradesParser.TryReadFirstTradeId(Encoding.UTF8.GetBytes(body), out var firstTradeId).ShouldBeFalse();

        firstTradeId.ShouldBeNull();
    }
}

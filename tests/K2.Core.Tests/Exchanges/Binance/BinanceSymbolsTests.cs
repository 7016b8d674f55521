using K2.Core.Exchanges.Binance;

namespace K2.Core.Tests.Exchanges.Binance;

public sealed class BinanceSymbolsTests
{
    [Fact]
    public void A_trade_stream_name_is_the_lower_case_symbol_with_the_trade_suffix()
    {
        BinanceSymbols.TradeStream(BinanceTradeParserTests.BtcUsdt).ShouldBe("btcusdt@trade");
    }

    [Theory]
    [InlineData("btcusdt@trade", "BTCUSDT")]
    [InlineData("bnbbtc@trade", "BNBBTC")]
    public void A_trade_stream_name_maps_back_to_the_payload_symbol(string stream, string symbol)
    {
        BinanceSymbols.SymbolOfTradeStream(stream).ShouldBe(symbol);
    }

    [Theory]
    [InlineData("btcusdt@aggTrade")]
    [InlineData("@trade")]
    [InlineData("!serverShutdown")]
    [InlineData("btcusdt@TRADE")]
    public void Other_stream_names_have_no_trade_symbol(string stream)
    {
        BinanceSymbols.SymbolOfTradeStream(stream).ShouldBeNull();
    }

    [Fact]
    public void Stream_names_and_payload_symbols_agree_for_every_listed_instrument()
    {
        foreach (var instrument in K2.Core.Instruments.InstrumentRegistryLoader.LoadFile(K2.Testing.RepositoryPaths.InstrumentsFile).ForExchange(Exchange.Binance))
        {
            BinanceSymbols.SymbolOfTradeStream(BinanceSymbols.TradeStream(instrument)).ShouldBe(instrument.ExchangeSymbol);
        }
    }
}

using K2.Core.Instruments;

namespace K2.Core.Tests.Instruments;

public sealed class InstrumentRegistryTests
{
    private static readonly Instrument BinanceBtc = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);
    private static readonly Instrument BinanceEth = new(Exchange.Binance, "ETH-USDT", "ETHUSDT", "ETH", "USDT", 2, 4);
    private static readonly Instrument KrakenBtc = new(Exchange.Kraken, "BTC-USD", "BTC/USD", "BTC", "USD", 1, 8, "XBTUSD");
    private static readonly Instrument CoinbaseBtc = new(Exchange.Coinbase, "BTC-USD", "BTC-USD", "BTC", "USD", 2, 8);

    private static readonly InstrumentRegistry Registry = new([BinanceBtc, KrakenBtc, BinanceEth, CoinbaseBtc]);

    [Fact]
    public void TryGet_finds_by_exchange_and_canonical_symbol()
    {
        Registry.TryGet(Exchange.Kraken, "BTC-USD", out var kraken).ShouldBeTrue();
        kraken.ShouldBeSameAs(KrakenBtc);
        Registry.TryGet(Exchange.Coinbase, "BTC-USD", out var coinbase).ShouldBeTrue();
        coinbase.ShouldBeSameAs(CoinbaseBtc);
    }

    [Theory]
    [InlineData(Exchange.Binance, "BTC-USD")] // listed, but on other exchanges
    [InlineData(Exchange.Kraken, "BTC-USDT")]
    [InlineData(Exchange.Binance, "btc-usdt")] // symbols are case-sensitive
    [InlineData(Exchange.Binance, "BTCUSDT")] // an exchange symbol is not a canonical one
    public void TryGet_misses_what_is_not_listed_so(Exchange exchange, string symbol)
    {
        Registry.TryGet(exchange, symbol, out _).ShouldBeFalse();
    }

    [Fact]
    public void TryGetByExchangeSymbol_finds_by_the_venue_spelling()
    {
        Registry.TryGetByExchangeSymbol(Exchange.Binance, "ETHUSDT", out var eth).ShouldBeTrue();
        eth.ShouldBeSameAs(BinanceEth);
        Registry.TryGetByExchangeSymbol(Exchange.Kraken, "BTC/USD".AsSpan(), out var kraken).ShouldBeTrue();
        kraken.ShouldBeSameAs(KrakenBtc);
    }

    [Fact]
    public void TryGetByExchangeSymbol_accepts_a_slice_of_a_larger_buffer()
    {
        var buffer = "xxBTCUSDTyy".AsSpan();

        Registry.TryGetByExchangeSymbol(Exchange.Binance, buffer[2..9], out var instrument).ShouldBeTrue();
        instrument.ShouldBeSameAs(BinanceBtc);
    }

    [Theory]
    [InlineData(Exchange.Binance, "btcusdt")]
    [InlineData(Exchange.Binance, "BTC-USDT")]
    [InlineData(Exchange.Coinbase, "BTC/USD")]
    [InlineData(Exchange.Kraken, "BTCUSDT")]
    [InlineData(Exchange.Kraken, "XBTUSD")] // the REST symbol is not the WebSocket one
    public void TryGetByExchangeSymbol_misses_other_spellings_and_exchanges(Exchange exchange, string exchangeSymbol)
    {
        Registry.TryGetByExchangeSymbol(exchange, exchangeSymbol, out _).ShouldBeFalse();
    }

    [Fact]
    public void ForExchange_lists_that_exchange_only_in_declaration_order()
    {
        Registry.ForExchange(Exchange.Binance).ShouldBe([BinanceBtc, BinanceEth]);
        Registry.ForExchange(Exchange.Kraken).ShouldBe([KrakenBtc]);
        Registry.ForExchange(Exchange.Coinbase).ShouldBe([CoinbaseBtc]);
        Registry.All.ShouldBe([BinanceBtc, KrakenBtc, BinanceEth, CoinbaseBtc]);
    }

    [Fact]
    public void An_exchange_without_instruments_has_an_empty_list()
    {
        var registry = new InstrumentRegistry([BinanceBtc]);

        registry.ForExchange(Exchange.Kraken).ShouldBeEmpty();
        registry.TryGetByExchangeSymbol(Exchange.Kraken, "BTC/USD", out _).ShouldBeFalse();
    }

    [Fact]
    public void An_instrument_key_names_exchange_and_symbol()
    {
        KrakenBtc.Key.ShouldBe("kraken/BTC-USD");
        KrakenBtc.ToString().ShouldBe("kraken/BTC-USD");
    }
}

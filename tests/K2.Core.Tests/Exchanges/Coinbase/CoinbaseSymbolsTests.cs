using K2.Core.Exchanges.Coinbase;
using K2.Core.Instruments;

namespace K2.Core.Tests.Exchanges.Coinbase;

public sealed class CoinbaseSymbolsTests
{
    [Theory]
    [InlineData("BTC-USD", "BTC-USD")]
    [InlineData("BTC-USDC", "BTC-USD")]
    [InlineData("BTC-USDT", "BTC-USDT")]
    [InlineData("ETH-BTC", "ETH-BTC")]
    [InlineData("USDC-EUR", "USDC-EUR")]
    [InlineData("-USDC", "-USDC")]
    public void The_market_data_product_of_a_USDC_product_is_its_USD_product(string productId, string expected)
    {
        CoinbaseSymbols.MarketDataProductId(productId).ShouldBe(expected);
    }

    [Fact]
    public void Subscribing_for_USD_and_USDC_instruments_of_one_base_needs_one_product()
    {
        var btcUsdc = new Instrument(Exchange.Coinbase, "BTC-USDC", "BTC-USDC", "BTC", "USDC", 2, 8);

        CoinbaseSymbols.MarketDataProductIds([CoinbaseFixtures.BtcUsd, btcUsdc, CoinbaseFixtures.EthUsd, CoinbaseFixtures.AvaxUsdc])
            .ShouldBe(["BTC-USD", "ETH-USD", "AVAX-USD"]);
    }

    [Theory]
    [InlineData("BTC-USD", "BTC-USD")]
    [InlineData("ETH-USD", "ETH-USD")]
    [InlineData("AVAX-USD", "AVAX-USDC")] // the registry lists only the USDC pair: USD data is its data
    [InlineData("AVAX-USDC", "AVAX-USDC")]
    public void An_incoming_product_finds_its_instrument(string productId, string expectedSymbol)
    {
        CoinbaseSymbols.TryGetInstrument(CoinbaseFixtures.Registry, productId, out var instrument).ShouldBeTrue();
        instrument.Symbol.ShouldBe(expectedSymbol);
        instrument.Exchange.ShouldBe(Exchange.Coinbase);
    }

    [Fact]
    public void A_USD_product_that_is_listed_keeps_its_own_instrument_even_when_USDC_is_listed_too()
    {
        var btcUsdc = new Instrument(Exchange.Coinbase, "BTC-USDC", "BTC-USDC", "BTC", "USDC", 2, 8);
        var registry = new InstrumentRegistry([btcUsdc, CoinbaseFixtures.BtcUsd]);

        CoinbaseSymbols.TryGetInstrument(registry, "BTC-USD", out var instrument).ShouldBeTrue();
        instrument.ShouldBeSameAs(CoinbaseFixtures.BtcUsd);
    }

    [Theory]
    [InlineData("SOL-USD")] // listed, but on Kraken
    [InlineData("BTCUSDT")] // listed, but on Binance
    [InlineData("BTC-USDT")]
    [InlineData("btc-usd")]
    [InlineData("")]
    [InlineData("-USD")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZAB-USD")] // 32 characters: no room for the C
    public void Other_products_find_nothing(string productId)
    {
        CoinbaseSymbols.TryGetInstrument(CoinbaseFixtures.Registry, productId, out _).ShouldBeFalse();
    }

    [Fact]
    public void Every_listed_Coinbase_instrument_subscribes_to_a_product_that_maps_back_to_it()
    {
        var registry = InstrumentRegistryLoader.LoadFile(K2.Testing.RepositoryPaths.InstrumentsFile);
        foreach (var instrument in registry.ForExchange(Exchange.Coinbase))
        {
            CoinbaseSymbols.TryGetInstrument(registry, CoinbaseSymbols.MarketDataProductId(instrument), out var found).ShouldBeTrue(instrument.Key);
            found.ShouldBeSameAs(instrument);
        }
    }

    [Fact]
    public void The_ticker_path_names_the_product()
    {
        CoinbaseEndpoints.TickerPath("BTC-USD").ShouldBe("/api/v3/brokerage/market/products/BTC-USD/ticker");
    }
}

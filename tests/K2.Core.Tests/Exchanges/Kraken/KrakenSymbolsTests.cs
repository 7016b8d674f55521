using K2.Core.Exchanges.Kraken;
using K2.Core.Instruments;
using K2.Testing;
using static K2.Core.Tests.Exchanges.Kraken.KrakenFixtures;

namespace K2.Core.Tests.Exchanges.Kraken;

public sealed class KrakenSymbolsTests
{
    private static readonly InstrumentRegistry Repository = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    [Theory]
    [InlineData("BTC/USD", "BTC-USD")]
    [InlineData("XBT/USD", "BTC-USD")]
    [InlineData("DOGE/USD", "DOGE-USD")]
    [InlineData("XDG/USD", "DOGE-USD")]
    [InlineData("XBT/EUR", "BTC-EUR")]
    [InlineData("ETH/USD", "ETH-USD")]
    public void V2_symbols_and_their_legacy_spellings_find_the_instrument(string symbol, string canonical)
    {
        KrakenSymbols.TryGetInstrument(Repository, symbol, out var instrument).ShouldBeTrue();

        instrument.Symbol.ShouldBe(canonical);
        instrument.Exchange.ShouldBe(Exchange.Kraken);
    }

    [Theory]
    [InlineData("BTCUSD")]
    [InlineData("XBTUSD")]
    [InlineData("BTC-USD")]
    [InlineData("btc/usd")]
    [InlineData("XBT/")]
    [InlineData("/USD")]
    [InlineData("XBT/USDT")]
    [InlineData("XBTC/USD")]
    [InlineData("")]
    [InlineData("XBT/USDXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")]
    public void Anything_else_finds_nothing(string symbol)
    {
        KrakenSymbols.TryGetInstrument(Repository, symbol, out _).ShouldBeFalse();
    }

    [Fact]
    public void A_Coinbase_listing_is_not_a_Kraken_instrument()
    {
        KrakenSymbols.TryGetInstrument(Registry, "SOL/USD", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("BTC-USD", "XBTUSD", "XXBTZUSD")]
    [InlineData("ETH-USD", "ETHUSD", "XETHZUSD")]
    [InlineData("DOGE-USD", "XDGUSD", "XDGUSD")]
    [InlineData("SOL-USD", "SOLUSD", "SOLUSD")]
    [InlineData("XRP-USD", "XRPUSD", "XXRPZUSD")]
    [InlineData("LTC-USD", "LTCUSD", "XLTCZUSD")]
    [InlineData("ADA-USD", "ADAUSD", "ADAUSD")]
    [InlineData("BTC-EUR", "XBTEUR", "XXBTZEUR")]
    public void Rest_pairs_are_requested_by_rest_symbol_and_answered_under_the_legacy_key(string symbol, string pair, string key)
    {
        Repository.TryGet(Exchange.Kraken, symbol, out var instrument).ShouldBeTrue();

        KrakenSymbols.RestPair(instrument).ShouldBe(pair);
        KrakenSymbols.RestResponseKey(instrument).ShouldBe(key);
        KrakenSymbols.IsRestKeyOf(instrument, key).ShouldBeTrue();
        KrakenSymbols.IsRestKeyOf(instrument, pair).ShouldBeTrue();
        KrakenSymbols.IsRestKeyOf(instrument, instrument.ExchangeSymbol).ShouldBeTrue();
        KrakenSymbols.TryGetInstrumentByRestKey(Repository, key, out var found).ShouldBeTrue();
        found.ShouldBeSameAs(instrument);
    }

    [Fact]
    public void Without_a_rest_symbol_the_pair_is_built_from_legacy_codes()
    {
        var instrument = new Instrument(Exchange.Kraken, "ETH-BTC", "ETH/BTC", "ETH", "BTC", 5, 8);

        KrakenSymbols.RestPair(instrument).ShouldBe("ETHXBT");
        KrakenSymbols.RestResponseKey(instrument).ShouldBe("XETHXXBT");
    }

    [Fact]
    public void A_key_of_another_pair_is_not_this_instrument()
    {
        KrakenSymbols.IsRestKeyOf(BtcUsd, "XETHZUSD").ShouldBeFalse();
        KrakenSymbols.TryGetInstrumentByRestKey(Repository, "XXXXX", out _).ShouldBeFalse();
    }

    [Fact]
    public void Asset_codes_map_both_ways()
    {
        KrakenSymbols.ToCanonicalAsset("XBT").ShouldBe("BTC");
        KrakenSymbols.ToCanonicalAsset("XDG").ShouldBe("DOGE");
        KrakenSymbols.ToCanonicalAsset("ETH").ShouldBe("ETH");
        KrakenSymbols.ToLegacyAsset("BTC").ShouldBe("XBT");
        KrakenSymbols.ToLegacyAsset("DOGE").ShouldBe("XDG");
        KrakenSymbols.WebSocketSymbol(BtcUsd).ShouldBe("BTC/USD");
    }
}

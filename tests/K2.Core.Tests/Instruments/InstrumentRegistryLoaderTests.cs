using K2.Core.Instruments;
using K2.Testing;

namespace K2.Core.Tests.Instruments;

public sealed class InstrumentRegistryLoaderTests
{
    /// <summary>
    /// A valid two-exchange registry. Columns, for the positions in the expected messages: entry keys start at
    /// column 7; values start at 15 (symbol), 24 (exchange_symbol), 13 (base), 14 (quote), 20 (price_scale) and
    /// 23 (quantity_scale).
    /// </summary>
    private const string Valid = """
        exchanges:
          binance:
            - symbol: BTC-USDT
              exchange_symbol: BTCUSDT
              base: BTC
              quote: USDT
              price_scale: 2
              quantity_scale: 5
          kraken:
            - symbol: BTC-USD
              exchange_symbol: BTC/USD
              rest_symbol: XBTUSD
              base: BTC
              quote: USD
              price_scale: 1
              quantity_scale: 8
        """;

    private const string Source = "bad.yaml";

    /// <summary><see cref="Valid"/> with one line (1-based) replaced; null removes it.</summary>
    private static string ValidWithLine(int line, string? replacement)
    {
        var lines = Valid.Split('\n').ToList();
        if (replacement is null)
        {
            lines.RemoveAt(line - 1);
        }
        else
        {
            lines[line - 1] = replacement;
        }

        return string.Join('\n', lines);
    }

    private static string[] Problems(string yaml)
    {
        var error = Should.Throw<InstrumentRegistryException>(() => InstrumentRegistryLoader.Parse(yaml, Source));
        return error.Message.Split(Environment.NewLine);
    }

    private static void ShouldReportExactly(string yaml, params string[] expected)
    {
        var lines = Problems(yaml);

        lines[0].ShouldBe($"The instrument registry is invalid ({expected.Length} problem{(expected.Length == 1 ? "" : "s")}):");
        lines[1..].ShouldBe(expected, ignoreOrder: true);
    }

    [Fact]
    public void The_base_document_of_these_tests_is_valid()
    {
        var registry = InstrumentRegistryLoader.Parse(Valid, Source);

        registry.All.Select(i => i.Key).ShouldBe(["binance/BTC-USDT", "kraken/BTC-USD"]);
        registry.All[1].ShouldBe(new Instrument(Exchange.Kraken, "BTC-USD", "BTC/USD", "BTC", "USD", 1, 8, "XBTUSD"));
        registry.All[0].RestSymbol.ShouldBeNull();
    }

    [Fact]
    public void The_repository_registry_loads_with_the_expected_pairs()
    {
        var registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

        registry.ForExchange(Exchange.Binance).Count.ShouldBe(12);
        registry.ForExchange(Exchange.Kraken).Count.ShouldBe(11);
        registry.ForExchange(Exchange.Coinbase).Count.ShouldBe(11);
        registry.All.Count.ShouldBe(34);
        foreach (var (exchange, quote) in new[] { (Exchange.Binance, "USDT"), (Exchange.Kraken, "USD"), (Exchange.Coinbase, "USD") })
        {
            foreach (var asset in new[] { "BTC", "ETH" })
            {
                registry.TryGet(exchange, $"{asset}-{quote}", out var instrument).ShouldBeTrue($"{exchange} {asset}-{quote}");
                instrument.BaseAsset.ShouldBe(asset);
                instrument.QuoteAsset.ShouldBe(quote);
            }
        }
    }

    [Fact]
    public void Every_repository_symbol_is_BASE_dash_QUOTE_and_unique_per_exchange()
    {
        var registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

        registry.All.ShouldAllBe(i => i.Symbol == i.BaseAsset + "-" + i.QuoteAsset);
        registry.All.ShouldAllBe(i => i.PriceScale >= 0 && i.PriceScale <= Instrument.MaxScale);
        registry.All.ShouldAllBe(i => i.QuantityScale >= 0 && i.QuantityScale <= Instrument.MaxScale);
        registry.All.GroupBy(i => (i.Exchange, i.Symbol)).ShouldAllBe(g => g.Count() == 1);
        registry.All.GroupBy(i => (i.Exchange, i.ExchangeSymbol)).ShouldAllBe(g => g.Count() == 1);
    }

    [Fact]
    public void The_repository_registry_maps_exchange_symbols_as_each_venue_spells_them()
    {
        var registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

        registry.TryGetByExchangeSymbol(Exchange.Binance, "BTCUSDT", out var binance).ShouldBeTrue();
        binance.Symbol.ShouldBe("BTC-USDT");
        registry.TryGetByExchangeSymbol(Exchange.Kraken, "BTC/USD", out var kraken).ShouldBeTrue();
        kraken.RestSymbol.ShouldBe("XBTUSD");
        registry.TryGetByExchangeSymbol(Exchange.Coinbase, "ETH-USD", out var coinbase).ShouldBeTrue();
        coinbase.Symbol.ShouldBe("ETH-USD");
    }

    [Fact]
    public void A_YAML_syntax_error_names_its_position()
    {
        var lines = Problems(ValidWithLine(5, "      base: \"BTC"));

        // YamlDotNet points at the opening quote of the scalar that never closes.
        lines.ShouldHaveSingleItem().ShouldStartWith($"{Source}:5:13: not valid YAML:");
    }

    [Fact]
    public void A_flow_sequence_left_open_is_a_syntax_error_at_the_end_of_the_input()
    {
        var lines = Problems("exchanges:\n  binance:\n    - symbol: [BTC\n");

        lines.ShouldHaveSingleItem().ShouldStartWith($"{Source}:4:1: not valid YAML:");
    }

    [Fact]
    public void A_repeated_exchange_key_is_a_syntax_error_at_the_repeat()
    {
        var yaml = Valid + "\n  binance: []";

        Problems(yaml).ShouldHaveSingleItem().ShouldStartWith($"{Source}:17:3: not valid YAML: Duplicate key");
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment")]
    [InlineData("- binance")]
    [InlineData("exchanges")]
    public void A_document_that_is_not_a_mapping_is_refused(string yaml)
    {
        Problems(yaml).ShouldBe([$"{Source}:1:1: expected a mapping with an 'exchanges' key."]);
    }

    [Fact]
    public void A_missing_exchanges_key_is_reported()
    {
        ShouldReportExactly(
            "instruments:\n  binance: []",
            $"{Source}:1:1: instruments: unknown key; the only top-level key is 'exchanges'",
            $"{Source}:1:1: exchanges: missing");
    }

    [Fact]
    public void An_unknown_top_level_key_is_reported_where_it_is()
    {
        ShouldReportExactly(Valid + "\nversion: 2", $"{Source}:17:1: version: unknown key; the only top-level key is 'exchanges'");
    }

    [Fact]
    public void Exchanges_that_are_not_a_mapping_are_reported()
    {
        ShouldReportExactly("exchanges:\n  - binance", $"{Source}:2:3: exchanges: must be a mapping from exchange name to a list of instruments");
    }

    [Theory]
    [InlineData("  bitstamp:", "bitstamp")]
    [InlineData("  Kraken:", "Kraken")] // names are lower case, as everywhere else
    public void An_unknown_exchange_is_reported_where_it_is(string line, string name)
    {
        ShouldReportExactly(
            ValidWithLine(9, line),
            $"{Source}:9:3: {name}: unknown exchange; expected one of binance, kraken, coinbase");
    }

    [Fact]
    public void An_exchange_that_is_not_a_list_is_reported()
    {
        ShouldReportExactly("exchanges:\n  binance: BTCUSDT", $"{Source}:2:12: binance: must be a list of instruments");
    }

    [Fact]
    public void An_entry_that_is_not_a_mapping_is_reported()
    {
        ShouldReportExactly("exchanges:\n  binance:\n    - BTCUSDT", $"{Source}:3:7: binance[0]: must be a mapping of instrument fields");
    }

    [Theory]
    [InlineData(3, "symbol")]
    [InlineData(4, "exchange_symbol")]
    [InlineData(5, "base")]
    [InlineData(6, "quote")]
    [InlineData(7, "price_scale")]
    [InlineData(8, "quantity_scale")]
    public void A_missing_required_field_is_reported_at_its_entry(int line, string field)
    {
        // An entry's position is that of its first key; for the symbol case the next key moves up behind the
        // dash, so the entry still starts at 3:7.
        var yaml = line == 3
            ? Valid.Replace("    - symbol: BTC-USDT\n      exchange_symbol", "    - exchange_symbol", StringComparison.Ordinal)
            : ValidWithLine(line, null);

        ShouldReportExactly(yaml, $"{Source}:3:7: binance[0].{field}: missing");
    }

    [Fact]
    public void A_missing_field_in_a_later_entry_names_that_entry()
    {
        ShouldReportExactly(ValidWithLine(13, null), $"{Source}:10:7: kraken[0].base: missing");
    }

    [Fact]
    public void A_misspelt_field_is_reported_as_unknown_and_the_real_one_as_missing()
    {
        ShouldReportExactly(
            ValidWithLine(6, "      qoute: USDT"),
            $"{Source}:6:7: binance[0].qoute: unknown field; expected symbol, exchange_symbol, base, quote, price_scale, quantity_scale, rest_symbol",
            $"{Source}:3:7: binance[0].quote: missing");
    }

    [Theory]
    [InlineData("      base:")]
    [InlineData("      base: \"\"")]
    [InlineData("      base: \"  \"")]
    [InlineData("      base: [BTC]")]
    public void An_empty_or_non_scalar_value_is_reported(string line)
    {
        var problem = Problems(ValidWithLine(5, line)).Skip(1).ShouldHaveSingleItem();

        problem.ShouldStartWith($"{Source}:5:");
        problem.ShouldEndWith(": binance[0].base: must be a non-empty value");
    }

    [Theory]
    [InlineData("9")]
    [InlineData("10")]
    [InlineData("-1")]
    [InlineData("+2")]
    [InlineData("2.5")]
    [InlineData("2.0")]
    [InlineData("two")]
    [InlineData("0x2")]
    [InlineData("99999999999")]
    public void A_price_scale_that_is_not_an_integer_from_0_to_8_is_reported(string value)
    {
        ShouldReportExactly(
            ValidWithLine(7, $"      price_scale: {value}"),
            $"{Source}:7:20: binance[0].price_scale: '{value}' must be an integer from 0 to 8");
    }

    [Fact]
    public void A_quantity_scale_out_of_range_is_reported()
    {
        ShouldReportExactly(
            ValidWithLine(16, "      quantity_scale: 12"),
            $"{Source}:16:23: kraken[0].quantity_scale: '12' must be an integer from 0 to 8");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("8")]
    public void Scales_at_the_bounds_are_accepted(string value)
    {
        var registry = InstrumentRegistryLoader.Parse(ValidWithLine(7, $"      price_scale: {value}"), Source);

        registry.All[0].PriceScale.ShouldBe(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("BTCUSDT")]
    [InlineData("BTC/USDT")]
    [InlineData("USDT-BTC")]
    [InlineData("BTC-USDT-X")]
    [InlineData("btc-usdt")]
    public void A_symbol_other_than_BASE_dash_QUOTE_is_reported(string symbol)
    {
        ShouldReportExactly(
            ValidWithLine(3, $"    - symbol: {symbol}"),
            $"{Source}:3:15: binance[0].symbol: '{symbol}' must be BASE-QUOTE, here 'BTC-USDT'");
    }

    [Theory]
    [InlineData("btc")]
    [InlineData("Btc")]
    [InlineData("B")]
    [InlineData("BTC.X")]
    [InlineData("ABCDEFGHIJKLM")]
    public void A_base_asset_that_is_not_an_upper_case_code_is_reported(string asset)
    {
        // The symbol follows the asset so that only the asset is at fault.
        var yaml = ValidWithLine(5, $"      base: {asset}").Replace("symbol: BTC-USDT", $"symbol: {asset}-USDT", StringComparison.Ordinal);

        ShouldReportExactly(
            yaml,
            $"{Source}:5:13: binance[0].base: '{asset}' is not an upper-case asset code (A-Z, 0-9, 2 to 12 characters)");
    }

    [Fact]
    public void A_lower_case_quote_asset_is_reported()
    {
        var yaml = ValidWithLine(14, "      quote: usd").Replace("symbol: BTC-USD\n", "symbol: BTC-usd\n", StringComparison.Ordinal);

        ShouldReportExactly(yaml, $"{Source}:14:14: kraken[0].quote: 'usd' is not an upper-case asset code (A-Z, 0-9, 2 to 12 characters)");
    }

    [Fact]
    public void Whitespace_in_an_exchange_symbol_is_reported()
    {
        ShouldReportExactly(
            ValidWithLine(4, "      exchange_symbol: \"BTC USDT\""),
            $"{Source}:4:24: binance[0].exchange_symbol: must not contain whitespace");
    }

    [Fact]
    public void A_duplicate_symbol_is_reported_at_the_second_symbol()
    {
        var yaml = Valid.Replace("  kraken:", """
                - exchange_symbol: BTCUSDC
                  symbol: BTC-USDT
                  base: BTC
                  quote: USDT
                  price_scale: 2
                  quantity_scale: 5
              kraken:
            """, StringComparison.Ordinal);

        ShouldReportExactly(yaml, $"{Source}:10:15: binance[1].symbol: duplicate symbol 'BTC-USDT' on binance");
    }

    [Fact]
    public void A_duplicate_exchange_symbol_is_reported_at_the_second_exchange_symbol()
    {
        var yaml = Valid.Replace("  kraken:", """
                - symbol: ETH-USDT
                  base: ETH
                  quote: USDT
                  exchange_symbol: BTCUSDT
                  price_scale: 2
                  quantity_scale: 4
              kraken:
            """, StringComparison.Ordinal);

        ShouldReportExactly(yaml, $"{Source}:12:24: binance[1].exchange_symbol: duplicate exchange symbol 'BTCUSDT' on binance");
    }

    [Fact]
    public void The_same_symbol_on_two_exchanges_is_not_a_duplicate()
    {
        var yaml = Valid + """

              coinbase:
                - symbol: BTC-USDT
                  exchange_symbol: BTC-USDT
                  base: BTC
                  quote: USDT
                  price_scale: 2
                  quantity_scale: 8
            """;

        var registry = InstrumentRegistryLoader.Parse(yaml, Source);

        registry.TryGet(Exchange.Coinbase, "BTC-USDT", out var coinbase).ShouldBeTrue();
        registry.TryGet(Exchange.Binance, "BTC-USDT", out var binance).ShouldBeTrue();
        coinbase.ShouldNotBe(binance);
    }

    [Fact]
    public void Several_problems_are_reported_together()
    {
        var yaml = """
            exchanges:
              binance:
                - symbol: BTC-USDT
                  exchange_symbol: BTCUSDT
                  base: BTC
                  quote: USDT
                  price_scale: 2
                  quantity_scale: 5
                - symbol: eth-USDT
                  exchange_symbol: ETHUSDT
                  base: eth
                  quote: USDT
                  price_scale: 11
                  quantity_scale: 4
                  tick: 0.01
                - symbol: SOL-USDT
                  exchange_symbol: SOLUSDT
                  base: SOL
                  price_scale: 2
                  quantity_scale: 3
              bitstamp:
                - symbol: BTC-USD
            extra: true
            """;

        ShouldReportExactly(
            yaml,
            $"{Source}:15:7: binance[1].tick: unknown field; expected symbol, exchange_symbol, base, quote, price_scale, quantity_scale, rest_symbol",
            $"{Source}:16:7: binance[2].quote: missing",
            $"{Source}:21:3: bitstamp: unknown exchange; expected one of binance, kraken, coinbase",
            $"{Source}:23:1: extra: unknown key; the only top-level key is 'exchanges'");
    }

    [Fact]
    public void Value_problems_of_one_entry_are_all_reported()
    {
        var yaml = ValidWithLine(5, "      base: btc")
            .Replace("price_scale: 2", "price_scale: 9", StringComparison.Ordinal)
            .Replace("quantity_scale: 5", "quantity_scale: x", StringComparison.Ordinal);

        ShouldReportExactly(
            yaml,
            $"{Source}:5:13: binance[0].base: 'btc' is not an upper-case asset code (A-Z, 0-9, 2 to 12 characters)",
            $"{Source}:3:15: binance[0].symbol: 'BTC-USDT' must be BASE-QUOTE, here 'btc-USDT'",
            $"{Source}:7:20: binance[0].price_scale: '9' must be an integer from 0 to 8",
            $"{Source}:8:23: binance[0].quantity_scale: 'x' must be an integer from 0 to 8");
    }

    [Fact]
    public void A_file_that_cannot_be_read_is_reported_with_its_path()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "missing.yaml");

        var error = Should.Throw<InstrumentRegistryException>(() => InstrumentRegistryLoader.LoadFile(path));

        error.Message.ShouldStartWith($"{path}: cannot read the instrument registry");
    }

    [Fact]
    public void Problems_in_a_file_are_prefixed_with_its_path()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "instruments.yaml");
        File.WriteAllText(path, ValidWithLine(7, "      price_scale: 9"));

        var error = Should.Throw<InstrumentRegistryException>(() => InstrumentRegistryLoader.LoadFile(path));

        error.Message.Split(Environment.NewLine)[1].ShouldBe($"{path}:7:20: binance[0].price_scale: '9' must be an integer from 0 to 8");
    }
}

using K2.Core;
using K2.Core.Instruments;
using K2.Grains.Configuration;
using K2.Grains.Hosting;
using K2.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace K2.Grains.Tests.Exchanges.Shards;

/// <summary>How configuration and the instrument registry make the exchange shards, and which shard settings are refused.</summary>
public sealed class ExchangeShardAssignmentTests
{
    private static readonly InstrumentRegistry Repository = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    private static Instrument Binance(string @base) => new(Exchange.Binance, $"{@base}-USDT", $"{@base}USDT", @base, "USDT", 2, 5);

    private static Instrument Coinbase(string @base, string quote) => new(Exchange.Coinbase, $"{@base}-{quote}", $"{@base}-{quote}", @base, quote, 2, 8);

    /// <summary>Four Binance pairs, and on Coinbase BTC-USD and BTC-USDC, which Coinbase streams as one product.</summary>
    private static readonly InstrumentRegistry Small = new(
    [
        Binance("BTC"), Binance("ETH"), Binance("SOL"), Binance("XRP"),
        Coinbase("BTC", "USD"), Coinbase("ETH", "USD"), Coinbase("BTC", "USDC"), Coinbase("SOL", "USD"),
    ]);

    /// <summary>The shards <c>k2 run</c> would make from these configuration keys, after the checks it makes at start.</summary>
    private static IReadOnlyList<ExchangeShard> Shards(InstrumentRegistry registry, Dictionary<string, string?> settings)
    {
        using var services = Services(registry, settings);
        services.GetRequiredService<IOptions<ExchangesOptions>>().Value.ShouldNotBeNull();
        return services.GetRequiredService<IngestSessions>().Shards;
    }

    /// <summary>What the start-up checks say about these configuration keys.</summary>
    private static IReadOnlyList<string> Problems(InstrumentRegistry registry, Dictionary<string, string?> settings)
    {
        using var services = Services(registry, settings);
        try
        {
            _ = services.GetRequiredService<IOptions<ExchangesOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures];
        }
    }

    private static ServiceProvider Services(InstrumentRegistry registry, Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddSingleton(registry)
            .AddK2Ingest()
            .BuildServiceProvider();

    private static string[] Symbols(ExchangeShard shard) => [.. shard.Instruments.Select(i => i.Symbol)];

    [Fact]
    public void Without_settings_each_enabled_exchange_is_one_shard_of_all_its_instruments_in_registry_order()
    {
        var shards = Shards(Repository, new() { ["K2:Exchanges:Kraken:Enabled"] = "false" });

        shards.Select(s => s.Key).ShouldBe(["binance/0", "coinbase/0"]);
        shards[0].Instruments.ShouldBe(Repository.ForExchange(Exchange.Binance));
        shards[1].Instruments.ShouldBe(Repository.ForExchange(Exchange.Coinbase));
        shards.Select(s => s.ShardCount).ShouldBe([1, 1]);
    }

    [Fact]
    public void A_count_deals_the_instruments_round_robin_in_registry_order()
    {
        var shards = Shards(Repository, new() { ["K2:Exchanges:Binance:Shards"] = "3", ["K2:Exchanges:Kraken:Shards"] = "2" });

        shards.Select(s => s.Key).ShouldBe(["binance/0", "binance/1", "binance/2", "kraken/0", "kraken/1", "coinbase/0"]);
        Symbols(shards[0]).ShouldBe(["BTC-USDT", "SOL-USDT", "ADA-USDT", "DOT-USDT"]);
        Symbols(shards[1]).ShouldBe(["ETH-USDT", "XRP-USDT", "AVAX-USDT", "LTC-USDT"]);
        Symbols(shards[2]).ShouldBe(["BNB-USDT", "DOGE-USDT", "LINK-USDT", "TRX-USDT"]);
        Symbols(shards[3]).ShouldBe(["BTC-USD", "SOL-USD", "DOGE-USD", "LINK-USD", "LTC-USD", "BTC-EUR"]);
        Symbols(shards[4]).ShouldBe(["ETH-USD", "XRP-USD", "ADA-USD", "DOT-USD", "AVAX-USD"]);
        shards.Select(s => s.ShardCount).ShouldBe([3, 3, 3, 2, 2, 1]);
    }

    [Fact]
    public void Explicit_groups_are_the_shards_in_the_order_written_whatever_the_case_and_spaces()
    {
        var shards = Shards(Small, new()
        {
            ["K2:Exchanges:Binance:ShardSymbols:0"] = "SOL-USDT",
            ["K2:Exchanges:Binance:ShardSymbols:1"] = " btc-usdt , XRP-USDT,ETH-USDT ",
        });

        shards.Where(s => s.Exchange == Exchange.Binance).Select(s => (s.Key, s.ShardCount, string.Join(" ", Symbols(s))))
            .ShouldBe([("binance/0", 2, "SOL-USDT"), ("binance/1", 2, "BTC-USDT XRP-USDT ETH-USDT")]);
    }

    [Fact]
    public void Coinbase_usd_and_usdc_of_one_base_are_dealt_together_as_the_one_product_coinbase_streams()
    {
        var shards = Shards(Small, new()
        {
            ["K2:Exchanges:Coinbase:Shards"] = "2",
            ["K2:Exchanges:Coinbase:MaxOutgoingMessagesPerSecond"] = "4",
        });

        shards.Where(s => s.Exchange == Exchange.Coinbase).Select(s => string.Join(" ", Symbols(s)))
            .ShouldBe(["BTC-USD BTC-USDC SOL-USD", "ETH-USD"]);
    }

    [Theory]
    [InlineData("Binance:Shards", "5", "K2:Exchanges:Binance: Shards must be between 1 and 4, since every shard needs at least one of the 4 binance subscriptions in the instrument registry (is 5).")]
    [InlineData("Binance:Shards", "0", "K2:Exchanges:Binance: Shards must be between 1 and 4, since every shard needs at least one of the 4 binance subscriptions in the instrument registry (is 0).")]
    [InlineData("Coinbase:Shards", "4", "K2:Exchanges:Coinbase: Shards must be between 1 and 3, since every shard needs at least one of the 3 coinbase subscriptions in the instrument registry (is 4).")]
    [InlineData("Coinbase:Shards", "2", "K2:Exchanges:Coinbase: MaxOutgoingMessagesPerSecond (6) times 2 shards is 12 messages a second, above Coinbase's 8 per IP, which the shards of one silo share: set it to at most 4.")]
    [InlineData("Kraken:ShardSymbols:0", "BTC-USD", "K2:Exchanges:Kraken: ShardSymbols:0 names BTC-USD, which the instrument registry does not list for kraken.")]
    public void A_shard_setting_that_does_not_fit_is_named(string key, string value, string problem)
    {
        Problems(Small, new() { [$"K2:Exchanges:{key}"] = value }).ShouldBe([problem]);
    }

    [Fact]
    public void Groups_that_invent_repeat_or_leave_out_symbols_or_disagree_with_the_count_are_each_named()
    {
        var problems = Problems(Small, new()
        {
            ["K2:Exchanges:Binance:Shards"] = "2",
            ["K2:Exchanges:Binance:ShardSymbols:0"] = "BTC-USDT,FOO-USDT",
            ["K2:Exchanges:Binance:ShardSymbols:1"] = " , ",
            ["K2:Exchanges:Binance:ShardSymbols:2"] = "ETH-USDT,btc-usdt",
        });

        problems.ShouldBe(
        [
            "K2:Exchanges:Binance: Shards (2) does not match the 3 groups of ShardSymbols; set only one of them.",
            "K2:Exchanges:Binance: ShardSymbols:0 names FOO-USDT, which the instrument registry does not list for binance.",
            "K2:Exchanges:Binance: ShardSymbols:1 names no symbol.",
            "K2:Exchanges:Binance: ShardSymbols:2 names BTC-USDT again (already in ShardSymbols:0).",
            "K2:Exchanges:Binance: ShardSymbols leaves out SOL-USDT, XRP-USDT: every binance instrument of the registry must be in exactly one group.",
        ]);
    }

    [Fact]
    public void Groups_that_split_a_coinbase_product_are_refused_even_with_coinbase_disabled()
    {
        var problems = Problems(Small, new()
        {
            ["K2:Exchanges:Coinbase:Enabled"] = "false",
            ["K2:Exchanges:Coinbase:MaxOutgoingMessagesPerSecond"] = "4",
            ["K2:Exchanges:Coinbase:ShardSymbols:0"] = "BTC-USD,ETH-USD",
            ["K2:Exchanges:Coinbase:ShardSymbols:1"] = "BTC-USDC,SOL-USD",
        });

        problems.ShouldBe(
        [
            "K2:Exchanges:Coinbase: ShardSymbols puts BTC-USD and BTC-USDC in different groups; Coinbase sends them as one product (BTC-USD), so they must share a shard.",
        ]);
    }

    [Fact]
    public void More_coinbase_shards_than_its_messages_per_ip_allow_are_refused()
    {
        var problems = Problems(Repository, new()
        {
            ["K2:Exchanges:Coinbase:Shards"] = "9",
            ["K2:Exchanges:Coinbase:MaxOutgoingMessagesPerSecond"] = "1",
        });

        problems.ShouldBe(["K2:Exchanges:Coinbase: Shards (9) is more than Coinbase's 8 messages a second per IP allow, at one message a second per shard."]);
    }

    [Fact]
    public void A_binance_shard_of_more_streams_than_one_connection_carries_is_refused_until_split()
    {
        var many = new InstrumentRegistry([.. Enumerable.Range(0, 1_025).Select(i => Binance($"C{i}"))]);

        Problems(many, new()).ShouldBe(
            ["K2:Exchanges:Binance: Shards gives shard binance/0 1025 streams, above Binance's 1024 per connection: use more shards."]);
        Problems(many, new() { ["K2:Exchanges:Binance:Shards"] = "2" }).ShouldBeEmpty();
    }
}

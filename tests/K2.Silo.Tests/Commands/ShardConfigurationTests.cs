using K2.Silo.Commands;
using K2.Testing;

namespace K2.Silo.Tests.Commands;

/// <summary>Exchange shard settings reach the real <c>k2</c> from the environment, and are checked against the instruments file.</summary>
public sealed class ShardConfigurationTests
{
    [Fact]
    public async Task Shard_settings_from_the_environment_are_shown_and_groups_that_leave_out_instruments_are_refused()
    {
        using var cwd = new TempDirectory("k2-shards");

        var result = await K2Cli.RunAsync(["config"], cwd.Path, new Dictionary<string, string>
        {
            ["K2__Exchanges__Kraken__Shards"] = "2",
            ["K2__Exchanges__Binance__ShardSymbols__0"] = "BTC-USDT,ETH-USDT",
            ["K2__Exchanges__Binance__ShardSymbols__1"] = "SOL-USDT",
        });

        result.ExitCode.ShouldBe(ExitCodes.BadConfiguration);
        result.OutputLines.ShouldContain("K2:Exchanges:Kraken:Shards = 2  (environment)");
        result.OutputLines.ShouldContain("K2:Exchanges:Binance:ShardSymbols:1 = SOL-USDT  (environment)");
        result.ErrorLines.ShouldBe(
        [
            "k2 config: invalid configuration: K2:Exchanges:Binance: ShardSymbols leaves out BNB-USDT, XRP-USDT, DOGE-USDT, ADA-USDT, AVAX-USDT, " +
            "LINK-USDT, DOT-USDT, LTC-USDT, TRX-USDT: every binance instrument of the registry must be in exactly one group.",
        ]);
    }
}

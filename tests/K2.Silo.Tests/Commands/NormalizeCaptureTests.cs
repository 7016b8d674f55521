using System.Globalization;
using K2.Silo.Commands;
using K2.Testing;

namespace K2.Silo.Tests.Commands;

/// <summary>
/// The README's example, run exactly as printed: <c>./k2 normalize --exchange kraken &lt; capture.jsonl</c> on a capture
/// from last month prints its canonical trades. The wrapper's build must leave standard input to the command, and a
/// capture is history, so the 30-day receipt rule of live ingest does not apply unless <c>--received-at</c> asks for it.
/// </summary>
public sealed class NormalizeCaptureTests
{
    private static readonly string Stamp = Path.Combine(RepositoryPaths.Root, ".cache", "k2-build.stamp");

    /// <summary>Two Kraken v2 trades printed 35 days ago, whole microseconds, as the capture holds them.</summary>
    private static (string Capture, string[] Expected) LastMonthsCapture()
    {
        var printed = DateTime.UtcNow.AddDays(-35);
        printed = new DateTime(printed.Ticks - (printed.Ticks % 10), DateTimeKind.Utc);
        var first = printed.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var second = printed.AddMilliseconds(250).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        string[] capture =
        [
            """{"channel":"heartbeat"}""",
            $$"""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":83744.3,"qty":0.00044780,"ord_type":"limit","trade_id":109116693,"timestamp":"{{first}}"},{"symbol":"BTC/USD","side":"sell","price":83744.2,"qty":1.5,"ord_type":"market","trade_id":109116694,"timestamp":"{{second}}"}]}""",
        ];
        string[] expected =
        [
            $$"""{"exchange":"kraken","symbol":"BTC-USD","raw_symbol":"BTC/USD","trade_id":"109116693","price":"83744.3","quantity":"0.00044780","side":"buy","exchange_ts":"{{first}}"}""",
            $$"""{"exchange":"kraken","symbol":"BTC-USD","raw_symbol":"BTC/USD","trade_id":"109116694","price":"83744.2","quantity":"1.5","side":"sell","exchange_ts":"{{second}}"}""",
        ];
        return (string.Join('\n', capture) + "\n", expected);
    }

    [Fact]
    public async Task The_readme_example_prints_last_months_trades_through_the_wrapper_whether_it_builds_or_not()
    {
        var (capture, expected) = LastMonthsCapture();
        File.Delete(Stamp); // the first run builds, as after a checkout or an edit

        var built = await K2Cli.RunWrapperAsync(["normalize", "--exchange", "kraken"], capture);
        var stampAfterBuild = File.GetLastWriteTimeUtc(Stamp);
        var warm = await K2Cli.RunWrapperAsync(["normalize", "--exchange", "kraken"], capture);

        built.ExitCode.ShouldBe(ExitCodes.Success, built.Error);
        built.OutputLines.ShouldBe(expected, built.Error);
        warm.ExitCode.ShouldBe(ExitCodes.Success, warm.Error);
        warm.OutputLines.ShouldBe(expected, warm.Error);
        warm.Error.ShouldBeEmpty();
        File.GetLastWriteTimeUtc(Stamp).ShouldBe(stampAfterBuild, "nothing changed, so the warm run did not build");
    }

    [Fact]
    public async Task Received_at_applies_the_live_rule_and_a_future_trade_is_refused_either_way()
    {
        using var cwd = new TempDirectory("k2-normalize");
        var (capture, _) = LastMonthsCapture();
        var future = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var ahead = $$"""{"channel":"trade","type":"update","data":[{"symbol":"ETH/USD","side":"buy","price":3000.1,"qty":2,"ord_type":"limit","trade_id":7,"timestamp":"{{future}}"}]}""";

        var live = await K2Cli.RunAsync(["normalize", "--exchange", "kraken", "--received-at", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)], cwd.Path, input: capture);
        var replay = await K2Cli.RunAsync(["normalize", "--exchange", "kraken"], cwd.Path, input: ahead);

        live.ExitCode.ShouldBe(ExitCodes.Success);
        live.OutputLines.ShouldBeEmpty();
        live.ErrorLines.Length.ShouldBe(2);
        live.ErrorLines.ShouldAllBe(line => line.Contains("\"reason\":\"invalid_timestamp\"") && line.Contains("more than 30 days before receipt"));
        replay.OutputLines.ShouldBeEmpty();
        replay.ErrorLines.ShouldHaveSingleItem().ShouldContain("minutes after receipt");
    }
}

using System.Diagnostics;
using System.Text.Json;
using K2.Testing;

namespace K2.EndToEnd.Tests;

/// <summary>What a new user does with the README: run with the simulator, look at trades, stop, start again.</summary>
public sealed class NewUserTests(ITestOutputHelper output)
{
    private const string TradesPath = "/v1/trades?exchange=binance&symbol=BTC-USDT&limit=10000";

    [Fact]
    public async Task Run_simulate_serves_trades_within_30_seconds_stops_with_code_0_and_keeps_its_data()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("k2-newuser");
        HashSet<string> firstRunIds;

        var started = Stopwatch.StartNew();
        await using (var first = K2Process.Start(data.Path, ["--simulate"]))
        {
            try
            {
                await Eventually.TrueAsync(async attempt => await TryGetTradeIdsAsync(first, attempt) is { Count: > 0 },
                    TimeSpan.FromSeconds(30), "no trades within 30 s of start", ct);
                output.WriteLine($"First trades served {started.Elapsed.TotalSeconds:0.0} s after start.");
                firstRunIds = (await TryGetTradeIdsAsync(first, ct))!;

                (await first.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0, "SIGTERM should end k2 with exit code 0");
            }
            finally
            {
                output.WriteLine(first.Output);
            }
        }

        await using var second = K2Process.Start(data.Path, ["--simulate"]);
        try
        {
            await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), ct);
            var secondRunIds = await TryGetTradeIdsAsync(second, ct);

            secondRunIds.ShouldNotBeNull();
            firstRunIds.Except(secondRunIds).ShouldBeEmpty("trades stored by the first run must survive a restart");
            (await second.StopAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(0);
        }
        finally
        {
            output.WriteLine(second.Output);
        }
    }

    private static async Task<HashSet<string>?> TryGetTradeIdsAsync(K2Process k2, CancellationToken ct)
    {
        try
        {
            var body = await k2.GetJsonAsync(TradesPath, ct);
            return [.. body.GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("trade_id").GetString()!)];
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Text;
using System.Text.Json;
using K2.Core;
using K2.Core.Exchanges.Binance;
using K2.Core.Instruments;
using K2.Silo.Commands;
using K2.Testing;

namespace K2.Silo.Tests.Commands;

public sealed class NormalizeCommandTests
{
    private static readonly InstrumentRegistry Registry = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    /// <summary>2025-11-22T00:00:00Z in milliseconds; the frames below trade then.</summary>
    private static readonly UnixMicros ReceivedAt = UnixMicros.FromMilliseconds(1_763_769_600_000);

    private static async Task<(string[] Out, string[] Err)> NormalizeAsync(string input)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        await NormalizeCommand.NormalizeAsync(
            new BinanceFrameNormalizer(Registry, BinanceTimeUnit.Detect), new MemoryStream(Encoding.UTF8.GetBytes(input)), output, error,
            ReceivedAt, TestContext.Current.CancellationToken);
        return (Lines(output), Lines(error));
    }

    private static string[] Lines(StringWriter writer) => writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Each_trade_becomes_one_line_with_exactly_the_canonical_keys()
    {
        const string Frame = """{"stream":"btcusdt@trade","data":{"e":"trade","E":1763769600001,"s":"BTCUSDT","t":4200000001,"p":"87012.34000000","q":"0.00120000","T":1763769600000,"m":true,"M":true}}""";

        var (output, error) = await NormalizeAsync(Frame + "\n");

        error.ShouldBeEmpty();
        var trade = JsonDocument.Parse(output.ShouldHaveSingleItem()).RootElement;
        trade.EnumerateObject().Select(p => p.Name).ShouldBe(["exchange", "symbol", "raw_symbol", "trade_id", "price", "quantity", "side", "exchange_ts"]);
        trade.GetProperty("exchange").GetString().ShouldBe("binance");
        trade.GetProperty("symbol").GetString().ShouldBe("BTC-USDT");
        trade.GetProperty("raw_symbol").GetString().ShouldBe("BTCUSDT");
        trade.GetProperty("trade_id").ValueKind.ShouldBe(JsonValueKind.String);
        trade.GetProperty("trade_id").GetString().ShouldBe("4200000001");
        trade.GetProperty("price").GetString().ShouldBe("87012.34000000");
        trade.GetProperty("quantity").GetString().ShouldBe("0.00120000");
        trade.GetProperty("side").GetString().ShouldBe("sell", "m=true: the buyer was the maker, so the taker sold");
        trade.GetProperty("exchange_ts").GetString().ShouldBe("2025-11-22T00:00:00.000000Z");
    }

    [Fact]
    public async Task Microsecond_captures_are_recognised_by_magnitude()
    {
        const string Frame = """{"e":"trade","E":1763769600000123,"s":"ETHUSDT","t":7,"p":"3000.1","q":"1","T":1763769600000123,"m":false,"M":true}""";

        var (output, _) = await NormalizeAsync(Frame);

        var trade = JsonDocument.Parse(output.ShouldHaveSingleItem()).RootElement;
        trade.GetProperty("exchange_ts").GetString().ShouldBe("2025-11-22T00:00:00.000123Z");
        trade.GetProperty("side").GetString().ShouldBe("buy");
    }

    [Fact]
    public async Task Rejected_frames_go_to_stderr_with_line_and_reason_and_the_rest_still_normalize()
    {
        var input = string.Join('\n',
            """{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"-5","q":"1","T":1763769600000,"m":true}""",
            "",
            "{not json",
            """{"result":null,"id":1}""",
            """{"e":"trade","E":1,"s":"DOGEUSDT","t":2,"p":"0.12345","q":"100","T":1763769600000,"m":false}""");

        var (output, error) = await NormalizeAsync(input);

        output.ShouldHaveSingleItem().ShouldContain("\"trade_id\":\"2\"");
        error.Length.ShouldBe(2, "a subscription ack is not a rejection");
        var first = JsonDocument.Parse(error[0]).RootElement;
        first.GetProperty("line").GetInt32().ShouldBe(1);
        first.GetProperty("reason").GetString().ShouldBe("invalid_price");
        first.GetProperty("raw_symbol").GetString().ShouldBe("BTCUSDT");
        var second = JsonDocument.Parse(error[1]).RootElement;
        second.GetProperty("line").GetInt32().ShouldBe(3);
        second.GetProperty("reason").GetString().ShouldBe("malformed_json");
        second.GetProperty("frame").GetString().ShouldBe("{not json");
    }
}

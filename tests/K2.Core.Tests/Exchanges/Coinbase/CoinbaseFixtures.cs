using K2.Core.Instruments;

namespace K2.Core.Tests.Exchanges.Coinbase;

/// <summary>Frames from <c>Fixtures/</c>: each file is one frame or body exactly as it arrives, plus a final newline.</summary>
internal static class CoinbaseFixtures
{
    internal static readonly Instrument BtcUsd = new(Exchange.Coinbase, "BTC-USD", "BTC-USD", "BTC", "USD", 2, 8);
    internal static readonly Instrument EthUsd = new(Exchange.Coinbase, "ETH-USD", "ETH-USD", "ETH", "USD", 2, 8);

    /// <summary>Listed as USDC only: its trades arrive as AVAX-USD (Coinbase's USDC aliasing).</summary>
    internal static readonly Instrument AvaxUsdc = new(Exchange.Coinbase, "AVAX-USDC", "AVAX-USDC", "AVAX", "USDC", 2, 8);

    /// <summary>Listed on Binance only: a Coinbase frame naming it must not find it.</summary>
    internal static readonly Instrument BinanceBtcUsdt = new(Exchange.Binance, "BTC-USDT", "BTCUSDT", "BTC", "USDT", 2, 5);

    /// <summary>Listed on Kraken under the same exchange-symbol shape Coinbase uses for another pair.</summary>
    internal static readonly Instrument KrakenSolUsd = new(Exchange.Kraken, "SOL-USD", "SOL-USD", "SOL", "USD", 2, 8);

    internal static readonly InstrumentRegistry Registry = new([BtcUsd, EthUsd, AvaxUsdc, BinanceBtcUsdt, KrakenSolUsd]);

    public static byte[] Load(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Directory, name));
        return bytes is [.., (byte)'\n'] ? bytes[..^1] : bytes;
    }

    public static string[] All(string prefix) =>
        [.. System.IO.Directory.GetFiles(Directory, $"{prefix}*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    private static string Directory => Path.Combine(AppContext.BaseDirectory, "Exchanges", "Coinbase", "Fixtures");
}

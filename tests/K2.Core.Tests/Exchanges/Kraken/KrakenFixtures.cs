using K2.Core.Instruments;

namespace K2.Core.Tests.Exchanges.Kraken;

/// <summary>Frames and bodies from <c>Fixtures/</c>, each exactly as it arrives (the file's final newline removed).</summary>
internal static class KrakenFixtures
{
    /// <summary>MATIC/USD is the docs' sample pair; K2 does not list it, so the tests do.</summary>
    public static readonly Instrument MaticUsd = new(Exchange.Kraken, "MATIC-USD", "MATIC/USD", "MATIC", "USD", 4, 8, "MATICUSD");

    public static readonly Instrument BtcUsd = new(Exchange.Kraken, "BTC-USD", "BTC/USD", "BTC", "USD", 1, 8, "XBTUSD");
    public static readonly Instrument EthUsd = new(Exchange.Kraken, "ETH-USD", "ETH/USD", "ETH", "USD", 2, 8, "ETHUSD");
    public static readonly Instrument DogeUsd = new(Exchange.Kraken, "DOGE-USD", "DOGE/USD", "DOGE", "USD", 7, 8, "XDGUSD");

    /// <summary>Listed on Coinbase only: a Kraken frame naming its symbol must not find it.</summary>
    public static readonly Instrument CoinbaseSolUsd = new(Exchange.Coinbase, "SOL-USD", "SOL/USD", "SOL", "USD", 2, 8);

    public static readonly InstrumentRegistry Registry = new([MaticUsd, BtcUsd, EthUsd, DogeUsd, CoinbaseSolUsd]);

    public static byte[] Load(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Exchanges", "Kraken", "Fixtures", name));
        return bytes is [.., (byte)'\n'] ? bytes[..^1] : bytes;
    }

    public static string[] All(string prefix) =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Exchanges", "Kraken", "Fixtures"), prefix + "*.json")
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)];

    /// <summary>An instant as RFC 3339 with microseconds, for expected values.</summary>
    public static UnixMicros At(string rfc3339) => UnixMicros.FromDateTimeOffset(DateTimeOffset.Parse(rfc3339, System.Globalization.CultureInfo.InvariantCulture));
}

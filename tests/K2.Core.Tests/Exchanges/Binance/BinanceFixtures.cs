namespace K2.Core.Tests.Exchanges.Binance;

/// <summary>Frames from <c>Fixtures/</c>: each file is one frame exactly as it arrives, plus a final newline.</summary>
internal static class BinanceFixtures
{
    public static byte[] Load(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Exchanges", "Binance", "Fixtures", name));
        return bytes is [.., (byte)'\n'] ? bytes[..^1] : bytes;
    }

    public static string[] All() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Exchanges", "Binance", "Fixtures"), "ws_*.json")
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)];
}

using K2.Core;
using K2.Core.Instruments;
using K2.Testing;

namespace K2.Simulator.Tests.Support;

/// <summary>Instrument registries for simulator tests.</summary>
internal static class TestRegistries
{
    /// <summary>The repository's <c>config/instruments.yaml</c>: every exchange's symbols.</summary>
    public static InstrumentRegistry Repository { get; } = InstrumentRegistryLoader.LoadFile(RepositoryPaths.InstrumentsFile);

    /// <summary>The repository's twelve Binance symbols only: the market then prints on Binance alone, so totals are Binance's.</summary>
    public static InstrumentRegistry BinanceOnly { get; } = new(Repository.ForExchange(Exchange.Binance));

    public static int BinanceSymbolCount => Repository.ForExchange(Exchange.Binance).Count;

    /// <summary><paramref name="count"/> synthetic Binance instruments, <c>A0USDT</c>, <c>A1USDT</c>…</summary>
    public static InstrumentRegistry Synthetic(int count) =>
        new(Enumerable.Range(0, count).Select(i => new Instrument(Exchange.Binance, $"A{i}-USDT", $"A{i}USDT", $"A{i}", "USDT", 2, 3)));
}

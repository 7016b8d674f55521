using K2.Core.Instruments;

namespace K2.Core.Exchanges.Binance;

/// <summary>Maps between registry instruments and Binance's stream names (<c>btcusdt@trade</c>).</summary>
public static class BinanceSymbols
{
    public const string TradeStreamSuffix = "@trade";

    public static string TradeStream(Instrument instrument) =>
        instrument.ExchangeSymbol.ToLowerInvariant() + TradeStreamSuffix;

    /// <summary>The upper-case Binance symbol of a trade stream name, or null when the name is not a trade stream.</summary>
    public static string? SymbolOfTradeStream(string streamName) =>
        streamName.EndsWith(TradeStreamSuffix, StringComparison.Ordinal) && streamName.Length > TradeStreamSuffix.Length
            ? streamName[..^TradeStreamSuffix.Length].ToUpperInvariant()
            : null;
}

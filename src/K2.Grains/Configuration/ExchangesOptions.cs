namespace K2.Grains.Configuration;

/// <summary>All exchange sessions. Bound from <c>K2:Exchanges</c>.</summary>
public sealed class ExchangesOptions
{
    public const string Section = "K2:Exchanges";

    public BinanceOptions Binance { get; set; } = new();

    public KrakenOptions Kraken { get; set; } = new();

    public CoinbaseOptions Coinbase { get; set; } = new();
}

namespace K2.Grains.Configuration;

/// <summary>All exchange sessions. Bound from <c>K2:Exchanges</c>.</summary>
public sealed class ExchangesOptions
{
    public const string Section = "K2:Exchanges";

    public BinanceOptions Binance { get; set; } = new();

    public KrakenOptions Kraken { get; set; } = new();

    public CoinbaseOptions Coinbase { get; set; } = new();

    /// <summary>Binance and Kraken document per-symbol trade ids without holes; Coinbase is a setting.</summary>
    public bool TradeIdsAreSequential(K2.Core.Exchange exchange) =>
        exchange != K2.Core.Exchange.Coinbase || Coinbase.TradeIdsAreSequential;

    /// <summary>The exchange's shard settings: a count, explicit symbol groups, or neither (one shard).</summary>
    public ShardSettings Sharding(K2.Core.Exchange exchange) => exchange switch
    {
        K2.Core.Exchange.Binance => new(Binance.Shards, Binance.ShardSymbols),
        K2.Core.Exchange.Kraken => new(Kraken.Shards, Kraken.ShardSymbols),
        _ => new(Coinbase.Shards, Coinbase.ShardSymbols),
    };

    /// <summary>Trade-history pages a second the exchange's configured REST limit allows.</summary>
    public double RestPagesPerSecond(K2.Core.Exchange exchange) => exchange switch
    {
        K2.Core.Exchange.Binance => Binance.RestWeightPerMinute / (double)K2.Core.Exchanges.Binance.BinanceEndpoints.HistoricalTradesWeight / 60,
        K2.Core.Exchange.Kraken => Kraken.RestRequestsPerSecond,
        _ => Coinbase.RestRequestsPerSecond,
    };
}

using K2.Core;
using K2.Core.Instruments;

namespace K2.Grains.Configuration;

/// <summary>
/// One exchange shard: an exchange and the instruments one session of it subscribes to. Its exchange grain is keyed
/// <see cref="Key"/> (<c>binance/0</c>); the instruments' own grains keep their keys (<c>binance/BTC-USDT</c>).
/// </summary>
/// <param name="Exchange">The exchange.</param>
/// <param name="Index">The shard's number within the exchange, from 0.</param>
/// <param name="ShardCount">How many shards the exchange has.</param>
/// <param name="Instruments">The instruments the shard's session subscribes to.</param>
public sealed record ExchangeShard(Exchange Exchange, int Index, int ShardCount, IReadOnlyList<Instrument> Instruments)
{
    public string Key => $"{Exchange.ToName()}/{Index}";

    /// <summary>The exchange named by a shard key's first part (<c>binance</c> of <c>binance/0</c>).</summary>
    public static bool TryParseExchange(string key, out Exchange exchange)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return ExchangeNames.TryParse(slash < 0 ? key : key.AsSpan(0, slash), out exchange);
    }

    public override string ToString() => Key;
}

using K2.Core;
using K2.Core.Instruments;
using K2.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace K2.Grains.Hosting;

/// <summary>The exchanges K2 runs sessions for, and their shards, from configuration and the instrument registry.</summary>
public sealed class IngestSessions
{
    private readonly Dictionary<string, ExchangeShard> _byKey;
    private readonly Dictionary<string, ExchangeShard> _byInstrument;

    public IngestSessions(IOptions<ExchangesOptions> options, InstrumentRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        Enabled =
        [
            .. new (Exchange Exchange, bool Enabled)[]
            {
                (Exchange.Binance, options.Value.Binance.Enabled),
                (Exchange.Kraken, options.Value.Kraken.Enabled),
                (Exchange.Coinbase, options.Value.Coinbase.Enabled),
            }.Where(e => e.Enabled).Select(e => e.Exchange),
        ];
        Shards = [.. Enabled.SelectMany(e => ExchangeShardAssignment.Assign(e, options.Value.Sharding(e), registry.ForExchange(e)))];
        _byKey = Shards.ToDictionary(s => s.Key, StringComparer.Ordinal);
        _byInstrument = Shards.SelectMany(s => s.Instruments.Select(i => (i.Key, Shard: s))).ToDictionary(p => p.Key, p => p.Shard, StringComparer.Ordinal);
    }

    public IReadOnlyList<Exchange> Enabled { get; }

    /// <summary>Every shard of the enabled exchanges, exchange by exchange, in shard order.</summary>
    public IReadOnlyList<ExchangeShard> Shards { get; }

    /// <summary>The configured shard keyed <paramref name="key"/> (<c>binance/0</c>), or null.</summary>
    public ExchangeShard? Shard(string key) => _byKey.GetValueOrDefault(key);

    /// <summary>The shard whose session subscribes to <paramref name="instrument"/>, or null when its exchange is not enabled.</summary>
    public ExchangeShard? ShardOf(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        return _byInstrument.GetValueOrDefault(instrument.Key);
    }
}

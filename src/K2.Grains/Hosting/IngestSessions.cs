using K2.Core;
using K2.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace K2.Grains.Hosting;

/// <summary>The exchanges this silo runs sessions for, from configuration.</summary>
public sealed class IngestSessions(IOptions<ExchangesOptions> options)
{
    public IReadOnlyList<Exchange> Enabled { get; } =
    [
        .. new (Exchange Exchange, bool Enabled)[]
        {
            (Exchange.Binance, options.Value.Binance.Enabled),
            (Exchange.Kraken, options.Value.Kraken.Enabled),
            (Exchange.Coinbase, options.Value.Coinbase.Enabled),
        }.Where(e => e.Enabled).Select(e => e.Exchange),
    ];
}

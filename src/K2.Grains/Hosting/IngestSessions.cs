using K2.Core;
using K2.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace K2.Grains.Hosting;

/// <summary>The exchanges this silo runs sessions for, from configuration.</summary>
public sealed class IngestSessions(IOptions<ExchangesOptions> options)
{
    public IReadOnlyList<Exchange> Enabled { get; } = options.Value.Binance.Enabled ? [Exchange.Binance] : [];
}

using System.Collections.Frozen;
using K2.Core;
using K2.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace K2.Grains.Backfill;

/// <summary>
/// The backfill queue of each exchange. Probes of quiet instruments are spaced to use at most half of the exchange's
/// REST limit, leaving the other half to gap repairs even when every instrument goes quiet at once.
/// </summary>
public sealed class BackfillQueues(TimeProvider time, IOptions<ExchangesOptions> exchanges)
{
    private readonly FrozenDictionary<Exchange, BackfillQueue> _queues = ExchangeNames.All.ToFrozenDictionary(
        e => e, e => new BackfillQueue(e, time, TimeSpan.FromSeconds(2 / exchanges.Value.RestPagesPerSecond(e))));

    public BackfillQueue For(Exchange exchange) => _queues[exchange];
}

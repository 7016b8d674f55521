using System.Collections.Frozen;
using K2.Core;
using K2.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace K2.Grains.Backfill;

/// <summary>
/// The backfill queue of each exchange. Probes of quiet instruments are spaced to use at most three quarters of the
/// exchange's REST limit, so a quarter is always left to gap repairs (which also go first) even when every instrument
/// goes quiet at once; with Kraken's one request a second, eleven quiet pairs are all probed within 14 s.
/// </summary>
public sealed class BackfillQueues(TimeProvider time, IOptions<ExchangesOptions> exchanges)
{
    private const double ProbeShare = 0.75;

    private readonly FrozenDictionary<Exchange, BackfillQueue> _queues = ExchangeNames.All.ToFrozenDictionary(
        e => e, e => new BackfillQueue(e, time, TimeSpan.FromSeconds(1 / (ProbeShare * exchanges.Value.RestPagesPerSecond(e)))));

    public BackfillQueue For(Exchange exchange) => _queues[exchange];
}

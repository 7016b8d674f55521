using System.Collections.Frozen;
using K2.Core;

namespace K2.Grains.Backfill;

/// <summary>The backfill queue of each exchange.</summary>
public sealed class BackfillQueues(TimeProvider time)
{
    private readonly FrozenDictionary<Exchange, BackfillQueue> _queues =
        ExchangeNames.All.ToFrozenDictionary(e => e, e => new BackfillQueue(e, time));

    public BackfillQueue For(Exchange exchange) => _queues[exchange];
}

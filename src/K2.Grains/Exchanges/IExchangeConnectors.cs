using K2.Core;
using K2.Grains.Backfill;
using K2.Grains.Configuration;
using K2.Grains.Exchanges.Sessions;

namespace K2.Grains.Exchanges;

/// <summary>
/// Builds what the exchange grains run: a shard's session, and an exchange's REST backfill loop. Behind an interface so
/// grain tests can run shards, the keeper and several silos without an exchange or a store.
/// </summary>
internal interface IExchangeConnectors
{
    /// <summary>A session that subscribes to the shard's instruments only.</summary>
    IExchangeSession CreateSession(ExchangeShard shard, TradeRoute route, PossibleLoss signalPossibleLoss);

    /// <summary>The exchange's backfill loop over its queue, within its REST limits; it runs until its token is cancelled.</summary>
    Func<CancellationToken, Task> CreateBackfill(Exchange exchange, TradeRoute route, BackfillRefine refine, BackfillDone done);
}

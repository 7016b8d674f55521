using System.Collections.Frozen;
using K2.Core;
using K2.Storage.Writers;
using Microsoft.Extensions.DependencyInjection;

namespace K2.Storage.Bronze;

/// <summary>The bronze table writer of each exchange.</summary>
public sealed class BronzeWriters(IServiceProvider services)
{
    private readonly FrozenDictionary<Exchange, BatchedTableWriter<BronzeTrade>> _writers = ExchangeNames.All.ToFrozenDictionary(
        e => e,
        e => ActivatorUtilities.CreateInstance<BatchedTableWriter<BronzeTrade>>(services, new BronzeTradesTable(e)));

    public BatchedTableWriter<BronzeTrade> For(Exchange exchange) => _writers[exchange];
}
